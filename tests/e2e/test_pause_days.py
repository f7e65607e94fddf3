"""Pausing the daily tip and choosing its days, through the real Application over HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot import callbacks
from content import Content
from storage import Delivery, DeliveryStatus
from storage.rules.schedule import EVERY_DAY, WEEKDAYS
from tests.conftest import FakeClock, Harness
from tests.helpers import dump

#: Nothing is due until a test moves the clock (tips at 09:00, the clock at 06:00): the
#: delivery job may start at once, and a test waiting for its first run waits no second.
pytestmark = pytest.mark.harness(first_tick_seconds=0.05)


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=UTC)


def buttons(call_params: dict) -> list[str]:
    """The callback data of every inline button of a sent or edited message."""
    keyboard = (call_params.get("reply_markup") or {}).get("inline_keyboard", [])
    return [button["callback_data"] for row in keyboard for button in row]


def labels(call_params: dict) -> dict[str, str]:
    """Each inline button's callback data mapped to its label."""
    keyboard = (call_params.get("reply_markup") or {}).get("inline_keyboard", [])
    return {button["callback_data"]: button["text"] for row in keyboard for button in row}


def sent(bot: Harness, day: date) -> Delivery | None:
    """The day's delivery once it is recorded as sent (the bot records it after sending)."""
    delivery = bot.store.delivery(bot.chat_id, day)
    return delivery if delivery is not None and delivery.status is DeliveryStatus.SENT else None


def days_of(bot: Harness) -> int:
    subscriber = bot.store.subscriber(bot.chat_id)
    assert subscriber is not None
    return subscriber.days


async def expect_tip(bot: Harness, day: int) -> None:
    """The tip of 2026-11-``day`` arrives at 09:00 UTC, through the background job."""
    start = len(bot.calls)
    bot.clock.set(at(day, 9, 0, 1))
    await bot.fake.wait_for(lambda: bot.daily_tips(start))
    await bot.fake.wait_for(lambda: sent(bot, date(2026, 11, day)))


async def expect_no_tip(bot: Harness, day: int) -> None:
    """No tip on 2026-11-``day``, neither at 09:00 UTC nor later that day."""
    start = len(bot.calls)
    for hour, minute in ((9, 0), (23, 59)):
        bot.clock.set(at(day, hour, minute, 1))
        await bot.tick()
    assert bot.daily_tips(start) == []
    assert bot.store.delivery(bot.chat_id, date(2026, 11, day)) is None


async def open_days_menu(bot: Harness) -> int:
    """Open /settings and its "Change days" menu; return the message's id."""
    view = await bot.say("/settings")
    message_id: int = view.result["message_id"]
    start = len(bot.calls)
    answer = await bot.press(message_id, callbacks.DAYS_MENU)
    assert answer.error is None
    menu = await bot.next_call(start, "editMessageText")
    assert callbacks.day_toggle(0) in buttons(menu.params)
    return message_id


# /pause and /resume ----------------------------------------------------------------------------


async def test_pause_for_three_days_skips_them_and_tips_come_again_on_the_date(
    harness: Harness, content: Content
) -> None:
    await harness.say("/subscribe")  # Thursday 2026-11-26, 06:00 UTC; tips at 09:00 UTC
    reply = await harness.say("/pause 3")
    next_tip = content.message("next_date", date="2026-11-29", time="09:00")
    assert reply.params["text"] == content.message(
        "paused_for_days", date="2026-11-29", next=next_tip
    )
    assert "/resume" in reply.params["text"]
    for day in (26, 27, 28):
        await expect_no_tip(harness, day)
    await expect_tip(harness, 29)
    await expect_tip(harness, 30)
    settings = await harness.say("/settings")
    assert content.message("pause_none") in settings.params["text"]


async def test_pause_then_resume_brings_the_next_tip_back(
    harness: Harness, clock: FakeClock, content: Content
) -> None:
    await harness.say("/subscribe")
    reply = await harness.say("/pause")
    assert reply.params["text"] == content.message("paused_until_resume")
    subscriber = harness.store.subscriber(harness.chat_id)
    assert subscriber is not None and subscriber.resume_on == date.max
    assert subscriber.next_due is None
    settings = await harness.say("/settings")
    assert content.message("pause_until_resume") in settings.params["text"]
    assert content.message("next_tip_paused") in settings.params["text"]
    await expect_no_tip(harness, 26)
    await expect_no_tip(harness, 27)

    clock.set(at(28, 6, 0))
    reply = await harness.say("/resume")
    next_tip = content.message("next_today", time="09:00")
    assert reply.params["text"] == content.message("resumed", next=next_tip)
    again = await harness.say("/resume")
    assert again.params["text"] == content.message("not_paused", next=next_tip)
    await expect_tip(harness, 28)


async def test_resume_when_not_paused_says_so(harness: Harness, content: Content) -> None:
    await harness.say("/subscribe")
    reply = await harness.say("/resume")
    next_tip = content.message("next_today", time="09:00")
    assert reply.params["text"] == content.message("not_paused", next=next_tip)


async def test_pause_days_count_in_the_subscribers_timezone(
    harness: Harness, clock: FakeClock, content: Content
) -> None:
    clock.set(at(26, 20, 0))  # already Friday the 27th in Tokyo
    await harness.say("/timezone Asia/Tokyo")
    await harness.say("/subscribe")
    reply = await harness.say("/pause 1")
    assert "2026-11-28" in reply.params["text"]
    subscriber = harness.store.subscriber(harness.chat_id)
    assert subscriber is not None and subscriber.resume_on == date(2026, 11, 28)


@pytest.mark.parametrize(
    "argument",
    [
        pytest.param("x", id="word"),
        pytest.param("0", id="zero"),
        pytest.param("999", id="too-long"),
        pytest.param("366", id="over-a-year"),
        pytest.param("-1", id="negative"),
        pytest.param("2.5", id="fraction"),
        pytest.param("<b>3</b>", id="html"),
    ],
)
async def test_bad_pause_argument_gets_the_usage_and_writes_nothing(
    harness: Harness, content: Content, argument: str
) -> None:
    await harness.say("/subscribe")
    before = dump(harness.settings.db_path)
    replies = await harness.say_all(f"/pause {argument}")
    assert [r.params["text"] for r in replies] == [content.message("pause_usage")]
    assert dump(harness.settings.db_path) == before


async def test_pause_without_a_subscription_writes_nothing(
    harness: Harness, content: Content
) -> None:
    before = dump(harness.settings.db_path)
    for command in ("/pause", "/pause 3"):
        reply = await harness.say(command)
        assert reply.params["text"] == content.message("pause_not_subscribed")
    assert dump(harness.settings.db_path) == before
    assert harness.store.subscriber(harness.chat_id) is None


# Delivery days -------------------------------------------------------------------------------


async def test_weekdays_only_skips_saturday_and_sunday(harness: Harness, content: Content) -> None:
    await harness.say("/subscribe")
    message_id = await open_days_menu(harness)
    answer = await harness.press(message_id, callbacks.DAYS_WEEKDAYS)
    assert answer.params["text"] == content.answers["saved"]
    assert days_of(harness) == WEEKDAYS
    await expect_tip(harness, 26)  # Thursday
    await expect_tip(harness, 27)  # Friday
    await expect_no_tip(harness, 28)  # Saturday
    await expect_no_tip(harness, 29)  # Sunday
    await expect_tip(harness, 30)  # Monday
    days = [d.local_date.day for d in harness.store.deliveries(harness.chat_id)]
    assert days == [26, 27, 30]


async def test_toggling_days_through_the_buttons_updates_storage(
    harness: Harness, content: Content
) -> None:
    await harness.say("/subscribe")
    message_id = await open_days_menu(harness)

    start = len(harness.calls)
    answer = await harness.press(message_id, callbacks.day_toggle(0))
    assert answer.params["text"] == content.answers["saved"]
    assert days_of(harness) == EVERY_DAY & ~0b1
    menu = await harness.next_call(start, "editMessageText")
    shown = labels(menu.params)
    assert shown[callbacks.day_toggle(0)] == "Mon"
    assert shown[callbacks.day_toggle(1)] == "✓ Tue"
    assert "Tue, Wed, Thu, Fri, Sat, Sun" in menu.params["text"]

    await harness.press(message_id, callbacks.day_toggle(0))
    assert days_of(harness) == EVERY_DAY
    await harness.press(message_id, callbacks.day_toggle(5))
    await harness.press(message_id, callbacks.day_toggle(6))
    assert days_of(harness) == WEEKDAYS
    await harness.press(message_id, callbacks.day_toggle(1))
    await harness.press(message_id, callbacks.day_toggle(3))
    assert days_of(harness) == 0b0010101
    await harness.press(message_id, callbacks.DAYS_EVERY_DAY)
    assert days_of(harness) == EVERY_DAY
    await harness.press(message_id, callbacks.DAYS_WEEKDAYS)
    # Choosing what is already chosen is answered and changes nothing (no edit either).
    before = dump(harness.settings.db_path)
    start = len(harness.calls)
    answer = await harness.press(message_id, callbacks.DAYS_WEEKDAYS)
    assert answer.params["text"] == content.answers["saved"]
    assert harness.since(start, "editMessageText") == []
    assert dump(harness.settings.db_path) == before

    start = len(harness.calls)
    await harness.press(message_id, callbacks.SETTINGS)
    view = await harness.next_call(start, "editMessageText")
    assert content.message("days_weekdays") in view.params["text"]
    assert callbacks.DAYS_MENU in buttons(view.params)


async def test_removing_the_last_day_is_refused(harness: Harness, content: Content) -> None:
    await harness.say("/subscribe")
    message_id = await open_days_menu(harness)
    for weekday in range(6):
        await harness.press(message_id, callbacks.day_toggle(weekday))
    assert days_of(harness) == 0b1000000  # Sunday only
    before = dump(harness.settings.db_path)
    start = len(harness.calls)
    answer = await harness.press(message_id, callbacks.day_toggle(6))
    assert answer.params["text"] == content.answers["days_last"]
    assert dump(harness.settings.db_path) == before
    assert harness.since(start, "editMessageText") == []
    settings = await harness.say("/settings")
    assert "Days: <b>Sun</b>" in settings.params["text"]


# The pause buttons in /settings ----------------------------------------------------------------


async def test_pause_and_resume_buttons(harness: Harness, content: Content) -> None:
    await harness.say("/subscribe")
    view = await harness.say("/settings")
    message_id = view.result["message_id"]
    assert content.message("pause_none") in view.params["text"]
    assert callbacks.PAUSE_MENU in buttons(view.params)

    start = len(harness.calls)
    await harness.press(message_id, callbacks.PAUSE_MENU)
    menu = await harness.next_call(start, "editMessageText")
    assert callbacks.pause_choice(3) in buttons(menu.params)
    assert callbacks.pause_choice(None) in buttons(menu.params)

    start = len(harness.calls)
    answer = await harness.press(message_id, callbacks.pause_choice(3))
    assert answer.params["text"] == content.answers["paused"]
    subscriber = harness.store.subscriber(harness.chat_id)
    assert subscriber is not None and subscriber.resume_on == date(2026, 11, 29)
    view = await harness.next_call(start, "editMessageText")
    assert content.message("pause_until", date="2026-11-29") in view.params["text"]
    assert callbacks.RESUME in buttons(view.params)
    assert callbacks.PAUSE_MENU not in buttons(view.params)

    start = len(harness.calls)
    answer = await harness.press(message_id, callbacks.RESUME)
    assert answer.params["text"] == content.answers["resumed"]
    subscriber = harness.store.subscriber(harness.chat_id)
    assert subscriber is not None and subscriber.resume_on is None
    view = await harness.next_call(start, "editMessageText")
    assert content.message("pause_none") in view.params["text"]
    answer = await harness.press(message_id, callbacks.RESUME)
    assert answer.params["text"] == content.answers["not_paused"]

    await harness.press(message_id, callbacks.pause_choice(None))
    subscriber = harness.store.subscriber(harness.chat_id)
    assert subscriber is not None and subscriber.resume_on == date.max
    assert subscriber.next_due is None


async def test_pause_button_without_a_subscription_writes_nothing(
    harness: Harness, content: Content
) -> None:
    view = await harness.say("/settings")
    assert callbacks.PAUSE_MENU not in buttons(view.params)
    before = dump(harness.settings.db_path)
    answer = await harness.press(view.result["message_id"], callbacks.pause_choice(3))
    assert answer.params["text"] == content.answers["pause_not_subscribed"]
    assert dump(harness.settings.db_path) == before


@pytest.mark.parametrize(
    "data",
    [
        pytest.param("set:pause:0", id="zero-days"),
        pytest.param("set:pause:999", id="too-many-days"),
        pytest.param("set:day:7", id="no-such-weekday"),
        pytest.param("set:days:weekend", id="unknown-preset"),
    ],
)
async def test_forged_pause_and_day_buttons_are_stale(
    harness: Harness, content: Content, data: str
) -> None:
    await harness.say("/subscribe")
    view = await harness.say("/settings")
    before = dump(harness.settings.db_path)
    answer = await harness.press(view.result["message_id"], data)
    assert answer.params["text"] == content.answers["stale"]
    assert dump(harness.settings.db_path) == before
