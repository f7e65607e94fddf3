"""The feedback buttons under the daily tip, over HTTP through the fake Bot API."""

from __future__ import annotations

import pytest

from bot import callbacks
from bot.console.localapi import Call
from content import Content
from tests.conftest import START, FakeClock, Harness
from tests.helpers import buttons


async def sent_tip(bot: Harness, clock: FakeClock) -> tuple[Call, str]:
    """Subscribe, run the 09:00 job; return the daily tip's sendMessage and the tip's id."""
    await bot.say("/subscribe")
    clock.set(START.replace(hour=9))
    start = len(bot.calls)
    await bot.tick()
    (tip,) = bot.daily_tips(start)
    delivery = bot.store.delivery(bot.chat_id, clock().date())
    assert delivery is not None and delivery.tip_id is not None
    return tip, delivery.tip_id


async def daily_tip(bot: Harness, clock: FakeClock) -> tuple[int, str]:
    """Like ``sent_tip``, with the message's id."""
    tip, tip_id = await sent_tip(bot, clock)
    return int(tip.result["message_id"]), tip_id


async def test_the_daily_tip_carries_both_feedback_buttons(
    harness: Harness, clock: FakeClock
) -> None:
    tip, tip_id = await sent_tip(harness, clock)
    assert buttons(tip.params)[:2] == [
        callbacks.feedback(True, tip_id),
        callbacks.feedback(False, tip_id),
    ]


@pytest.mark.parametrize(
    "helpful", [pytest.param(True, id="helpful"), pytest.param(False, id="not")]
)
async def test_a_press_is_stored_and_the_buttons_become_a_thanks(
    harness: Harness, clock: FakeClock, content: Content, helpful: bool
) -> None:
    message_id, tip_id = await daily_tip(harness, clock)
    start = len(harness.calls)
    answer = await harness.press(message_id, callbacks.feedback(helpful, tip_id))
    assert answer.error is None
    assert harness.store.feedback(harness.chat_id, tip_id) is helpful
    edit = await harness.next_call(start, "editMessageReplyMarkup")
    rows = edit.params["reply_markup"]["inline_keyboard"]
    key = "feedback_thanks_helpful" if helpful else "feedback_thanks_not"
    assert rows[0] == [{"text": content.buttons[key], "callback_data": callbacks.FEEDBACK_SAVED}]
    assert callbacks.TECHNIQUES in buttons(edit.params)  # the other buttons stay


async def test_a_second_press_changes_the_answer_and_stores_one_row(
    harness: Harness, clock: FakeClock
) -> None:
    message_id, tip_id = await daily_tip(harness, clock)
    await harness.press(message_id, callbacks.feedback(True, tip_id))
    await harness.press(message_id, callbacks.feedback(False, tip_id))  # e.g. a stale copy
    rows = list(
        harness.store.db.execute(
            "SELECT helpful FROM feedback WHERE chat_id = ? AND tip_id = ?",
            [harness.chat_id, tip_id],
        )
    )
    assert rows == [(0,)]


async def test_the_thanks_button_only_says_the_answer_is_saved(
    harness: Harness, clock: FakeClock, content: Content
) -> None:
    message_id, tip_id = await daily_tip(harness, clock)
    await harness.press(message_id, callbacks.feedback(True, tip_id))
    answer = await harness.press(message_id, callbacks.FEEDBACK_SAVED)
    assert answer.params["text"] == content.answers["feedback_saved"]
    assert harness.store.feedback(harness.chat_id, tip_id) is True


async def test_feedback_on_an_unknown_tip_is_stale_and_stores_nothing(
    harness: Harness, clock: FakeClock, content: Content
) -> None:
    message_id, _ = await daily_tip(harness, clock)
    answer = await harness.press(message_id, "fb:1:no_such_tip")
    assert answer.params["text"] == content.answers["stale"]
    assert list(harness.store.db.execute("SELECT * FROM feedback")) == []


async def test_feedback_on_a_tip_this_chat_never_got_is_stale_and_stores_nothing(
    harness: Harness, clock: FakeClock, content: Content
) -> None:
    """The defect: feedback was stored for tips never delivered to that chat (a forged
    press, or buttons under a tip forwarded from someone else)."""
    message_id, tip_id = await daily_tip(harness, clock)
    other = next(tip.id for tip in content.tips if tip.id != tip_id)
    answer = await harness.press(message_id, callbacks.feedback(True, other))
    assert answer.params["text"] == content.answers["stale"]
    assert list(harness.store.db.execute("SELECT * FROM feedback")) == []
    # The tip it did get still takes feedback.
    await harness.press(message_id, callbacks.feedback(True, tip_id))
    assert harness.store.feedback(harness.chat_id, tip_id) is True


async def test_deletedata_erases_feedback(harness: Harness, clock: FakeClock) -> None:
    message_id, tip_id = await daily_tip(harness, clock)
    await harness.press(message_id, callbacks.feedback(True, tip_id))
    harness.store.delete_chat(harness.chat_id)
    assert harness.store.feedback(harness.chat_id, tip_id) is None
