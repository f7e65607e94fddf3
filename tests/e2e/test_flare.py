"""A bad day (/flare and the "Bad day" buttons): a plan that needs no massage, and no tips
about massage for the rest of that local day, in the daily tip and /tip alike."""

from __future__ import annotations

from datetime import timedelta

from bot import callbacks
from content import Content
from storage import Caution, Hold
from tests.conftest import START, FakeClock, Harness, massage_days
from tests.helpers import buttons


def just_before(bot: Harness, day: int) -> None:
    """Put the user's place in the program just before ``day``."""
    bot.store.db.execute(
        "UPDATE subscribers SET tip_cursor = ? WHERE chat_id = ?", [day - 1, bot.chat_id]
    )


async def test_flare_sends_the_plan_and_notes_the_day(harness: Harness, content: Content) -> None:
    reply = await harness.say("/flare")
    assert reply.params["text"] == content.pages["flare"]
    assert buttons(reply.params) == [callbacks.CHECKIN_ASK, callbacks.URGENT]
    subscriber = harness.store.subscriber(harness.chat_id)
    assert subscriber is not None and subscriber.flare_on == START.date()
    assert not subscriber.subscribed  # noting a bad day subscribes nobody


async def test_tips_about_massage_wait_until_the_next_day(
    harness: Harness, content: Content, clock: FakeClock
) -> None:
    harness.store.set_caution(harness.chat_id, Caution.NONE, clock())
    first, second = massage_days(content)[:2]
    await harness.say("/flare")
    just_before(harness, first)
    today = (await harness.say("/tip")).params["text"]
    massage_tip = content.tips[first - 1]
    assert massage_tip.text not in today  # passed over on the bad day
    clock.advance(days=1)
    just_before(harness, second)
    tomorrow = (await harness.say("/tip")).params["text"]
    assert content.tips[second - 1].text in tomorrow


async def test_the_daily_tip_on_a_bad_day_is_not_about_massage(
    harness: Harness, content: Content, clock: FakeClock
) -> None:
    await harness.say("/subscribe")
    harness.store.set_caution(harness.chat_id, Caution.NONE, clock())
    day = massage_days(content)[0]
    await harness.say("/flare")
    just_before(harness, day)
    clock.set(START.replace(hour=9, minute=1))
    start = len(harness.calls)
    await harness.tick()
    (sent,) = harness.daily_tips(start)
    assert content.tips[day - 1].text not in sent.params["text"]
    assert callbacks.FLARE in buttons(sent.params)


async def test_the_bad_day_button_under_the_daily_tip_and_the_checkin(
    harness: Harness, content: Content, clock: FakeClock
) -> None:
    await harness.say("/subscribe")
    clock.set(START.replace(hour=9, minute=1))
    start = len(harness.calls)
    await harness.tick()
    (tip,) = harness.daily_tips(start)
    start = len(harness.calls)
    await harness.press(tip.result["message_id"], callbacks.FLARE)
    plan = await harness.next_call(start, "sendMessage")
    assert plan.params["text"] == content.pages["flare"]
    question = await harness.say("/checkin")
    start = len(harness.calls)
    await harness.press(question.result["message_id"], callbacks.FLARE)
    assert (await harness.next_call(start, "sendMessage")).params["text"] == content.pages["flare"]
    subscriber = harness.store.subscriber(harness.chat_id)
    assert subscriber is not None and subscriber.flare_on == clock().date()
    # The hold is the day's only: nothing has to be undone tomorrow.
    assert harness.store.massage(harness.chat_id, clock()).holds == (Hold.FLARE,)
    tomorrow = harness.store.massage(harness.chat_id, clock() + timedelta(days=1))
    assert not tomorrow.held and tomorrow.ask
