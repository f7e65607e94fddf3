"""The daily tip over HTTP: on time in the subscriber's timezone, once a day, across restarts."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.ops.content import picked
from bot.render import tips as render_tips
from content import Content
from storage import Delivery, DeliveryStatus
from tests.conftest import FakeClock, Harness, MakeHarness
from tests.fakeapi import FakeBotApi

#: Nothing is due until a test moves the clock (tips at 09:00, the clock at 06:00): the
#: delivery job may start at once, and a test waiting for its first run waits no second.
pytestmark = pytest.mark.harness(first_tick_seconds=0.05)


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=UTC)


def sent(bot: Harness, day: date) -> Delivery | None:
    """The day's delivery once it is recorded as sent (the bot records it after sending)."""
    delivery = bot.store.delivery(bot.chat_id, day)
    return delivery if delivery is not None and delivery.status is DeliveryStatus.SENT else None


async def test_tip_arrives_at_the_local_time_and_only_once(
    harness: Harness, clock: FakeClock, content: Content
) -> None:
    await harness.say("/timezone Europe/Berlin")  # 09:00 in Berlin is 08:00 UTC in November
    await harness.say("/subscribe")
    start = len(harness.calls)
    clock.set(at(26, 7, 59, 30))
    await harness.tick()
    assert harness.daily_tips(start) == []

    clock.set(at(26, 8, 0, 5))
    tip = await harness.fake.wait_for(lambda: harness.daily_tips(start))
    # Subscribed before the tip time: the first daily tip is day 1 of the program.
    assert tip[0].params["text"] == render_tips.daily_tip(content, picked(content, 0)).text
    delivery = await harness.fake.wait_for(lambda: sent(harness, date(2026, 11, 26)))
    assert delivery.message_id == tip[0].result["message_id"]

    clock.set(at(26, 20, 0))
    await harness.tick()
    assert len(harness.daily_tips(start)) == 1


async def test_a_restart_sends_no_second_tip_that_day(
    stopped: Harness, fake: FakeBotApi, clock: FakeClock, content: Content
) -> None:
    bot = stopped
    async with bot.running():
        await bot.say("/subscribe")
        clock.set(at(26, 9, 0, 1))
        await fake.wait_for(lambda: sent(bot, date(2026, 11, 26)))
    clock.set(at(26, 9, 30))
    async with bot.running():
        await bot.tick()
        await bot.say("/help")
        assert len(bot.daily_tips()) == 1
        clock.set(at(27, 9, 0, 1))
        await fake.wait_for(lambda: sent(bot, date(2026, 11, 27)))
    first, second = bot.daily_tips()
    assert first.params["text"] != second.params["text"]
    assert content.tips[1].text in second.params["text"]


async def test_tip_shown_by_tip_command_does_not_count_as_the_day(
    harness: Harness, clock: FakeClock
) -> None:
    await harness.say("/subscribe")
    await harness.say("/tip")
    start = len(harness.calls)
    clock.set(at(26, 9, 0, 2))
    await harness.fake.wait_for(lambda: harness.daily_tips(start))


async def test_subscribing_after_the_time_waits_for_tomorrow(
    harness: Harness, clock: FakeClock, content: Content
) -> None:
    clock.set(at(26, 10, 0))
    await harness.say("/subscribe")
    settings = await harness.say("/settings")
    assert content.message("next_tomorrow", time="09:00") in settings.params["text"]
    await harness.tick()
    assert harness.daily_tips() == []


async def test_moving_the_time_later_today_brings_todays_tip(
    harness: Harness, clock: FakeClock, content: Content
) -> None:
    await harness.say("/subscribe")
    await harness.say("/time 05:00")  # today's time has passed, and today's tip is not sent
    clock.set(at(26, 10, 0))
    reply = await harness.say("/time 10:05")
    assert content.message("next_today", time="10:05") in reply.params["text"]
    clock.set(at(26, 10, 5))
    await harness.fake.wait_for(lambda: harness.daily_tips())


async def test_catch_up_after_downtime_sends_today_and_skips_missed_days(
    stopped: Harness, fake: FakeBotApi, clock: FakeClock
) -> None:
    bot = stopped
    async with bot.running():
        await bot.say("/subscribe")
    # Down from 06:00 on the 26th until 11:00 on the 28th: the 26th and 27th are gone.
    clock.set(at(28, 11, 0))
    async with bot.running():
        await fake.wait_for(lambda: sent(bot, date(2026, 11, 28)))
        await bot.tick()
        assert len(bot.daily_tips()) == 1
    log = {d.local_date.day: d.status for d in bot.store.deliveries(bot.chat_id)}
    assert log == {26: DeliveryStatus.SKIPPED, 28: DeliveryStatus.SENT}


async def test_a_user_who_blocked_the_bot_is_unsubscribed(
    stopped: Harness, fake: FakeBotApi, clock: FakeClock
) -> None:
    bot = stopped
    async with bot.running():
        await bot.say("/subscribe")
        fake.api.blocked.add(bot.chat_id)
        clock.set(at(26, 9, 0, 1))
        await fake.wait_for(lambda: [c for c in fake.calls if c.error and "blocked" in c.error])
        day = date(2026, 11, 26)
        delivery = await fake.wait_for(
            lambda: (d := bot.store.delivery(bot.chat_id, day)) and d.status == "blocked" and d
        )
        assert delivery.attempts == 1
        subscriber = bot.store.subscriber(bot.chat_id)
        assert subscriber is not None and subscriber.blocked
        assert subscriber.next_due is None


def member_update(chat_id: int, status: str) -> dict:
    """A my_chat_member update: the user blocked ("kicked") or unblocked ("member") the bot."""
    bot_user = {"id": 1, "is_bot": True, "first_name": "backcare-bot"}
    old = "member" if status == "kicked" else "kicked"
    return {
        "my_chat_member": {
            "chat": {"id": chat_id, "type": "private", "first_name": "You"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "You"},
            "date": 0,
            "old_chat_member": {"status": old, "user": bot_user, "until_date": 0},
            "new_chat_member": {"status": status, "user": bot_user, "until_date": 0},
        }
    }


async def test_blocking_and_unblocking_the_bot_stops_and_resumes_tips(
    harness: Harness, clock: FakeClock
) -> None:
    await harness.say("/subscribe")
    await harness.handle(harness.fake.api.queue(member_update(harness.chat_id, "kicked")))
    subscriber = harness.store.subscriber(harness.chat_id)
    assert subscriber is not None and subscriber.blocked and subscriber.next_due is None
    clock.set(at(26, 9, 0, 1))
    await harness.tick()
    assert harness.daily_tips() == []

    await harness.handle(harness.fake.api.queue(member_update(harness.chat_id, "member")))
    subscriber = harness.store.subscriber(harness.chat_id)
    assert subscriber is not None and subscriber.subscribed and not subscriber.blocked
    await harness.fake.wait_for(lambda: sent(harness, date(2026, 11, 26)))


async def test_paid_broadcast_setting_marks_daily_tips_not_replies(
    make_harness: MakeHarness, fake: FakeBotApi, clock: FakeClock
) -> None:
    bot = make_harness(paid_broadcast=True)
    async with bot.running():
        reply = await bot.say("/subscribe")
        clock.set(at(26, 9, 0, 1))
        await fake.wait_for(lambda: sent(bot, date(2026, 11, 26)))
    (tip,) = bot.daily_tips()
    assert tip.params.get("allow_paid_broadcast") is True
    assert "allow_paid_broadcast" not in reply.params


async def test_daily_tips_are_not_paid_broadcasts_by_default(
    harness: Harness, clock: FakeClock
) -> None:
    await harness.say("/subscribe")
    clock.set(at(26, 9, 0, 1))
    (tip,) = await harness.fake.wait_for(lambda: harness.daily_tips())
    assert "allow_paid_broadcast" not in tip.params
