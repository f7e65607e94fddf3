"""/checkin, the pain score and its rising-trend nudge, over HTTP through the fake Bot API."""

from __future__ import annotations

import pytest

from bot import callbacks
from content import Content
from storage import Checkin, Hold
from tests.conftest import START, FakeClock, Harness
from tests.helpers import buttons, check_in, check_in_daily, confirm_deletion

SCORES = [callbacks.checkin(score) for score in range(11)]


async def test_checkin_asks_with_eleven_scores_a_red_flag_and_a_bad_day_button(
    harness: Harness, content: Content
) -> None:
    reply = await harness.say("/checkin")
    assert reply.params["text"] == content.message("checkin")
    assert buttons(reply.params) == [*SCORES, callbacks.CHECKIN_RED_FLAG, callbacks.FLARE]


async def test_asking_stores_nothing(harness: Harness) -> None:
    await harness.say("/checkin")
    assert harness.store.checkins(harness.chat_id) == []


async def test_a_score_is_stored(harness: Harness) -> None:
    await check_in(harness, 4)
    assert harness.store.checkins(harness.chat_id) == [Checkin(START.date(), 4)]


async def test_a_score_is_thanked_with_the_score(harness: Harness, content: Content) -> None:
    edit = await check_in(harness, 4)
    assert edit["text"] == content.message("checkin_thanks", score="4")
    assert buttons(edit) == [callbacks.PROGRESS]


async def test_a_second_check_in_the_same_day_replaces_the_score(
    harness: Harness, clock: FakeClock
) -> None:
    await check_in(harness, 4)
    clock.advance(hours=5)
    await check_in(harness, 7)
    assert harness.store.checkins(harness.chat_id) == [Checkin(START.date(), 7)]


async def test_red_flag_button_sends_the_urgent_page(harness: Harness, content: Content) -> None:
    question = await harness.say("/checkin")
    start = len(harness.calls)
    answer = await harness.press(question.result["message_id"], callbacks.CHECKIN_RED_FLAG)
    page = await harness.next_call(start, "sendMessage")
    assert answer.error is None
    assert page.params["text"] == content.pages["urgent"]


async def test_red_flag_button_notes_the_date_and_holds_massage(harness: Harness) -> None:
    question = await harness.say("/checkin")
    await harness.press(question.result["message_id"], callbacks.CHECKIN_RED_FLAG)
    assert harness.store.checkins(harness.chat_id) == []
    subscriber = harness.store.subscriber(harness.chat_id)
    assert subscriber is not None and not subscriber.subscribed  # subscribes nobody
    day = START.date()
    assert harness.store.red_flag_days(harness.chat_id, day, day) == [day]
    assert harness.store.massage(harness.chat_id, harness.clock()).holds == (Hold.WARNING_SIGN,)


async def test_red_flag_button_reaches_the_urgent_page_on_a_rising_trend(
    harness: Harness, clock: FakeClock, content: Content
) -> None:
    await check_in_daily(harness, clock, 2, 3, 5)
    question = await harness.say("/checkin")
    start = len(harness.calls)
    await harness.press(question.result["message_id"], callbacks.CHECKIN_RED_FLAG)
    page = await harness.next_call(start, "sendMessage")
    assert page.params["text"] == content.pages["urgent"]


async def test_rising_three_days_in_a_row_suggests_a_clinician(
    harness: Harness, clock: FakeClock, content: Content
) -> None:
    edit = await check_in_daily(harness, clock, 2, 3, 5)
    assert content.message("checkin_rising") in edit["text"]
    assert buttons(edit) == [callbacks.URGENT, callbacks.HOLD_FINE, callbacks.PROGRESS]


async def test_a_jump_above_the_recent_median_suggests_a_clinician(
    harness: Harness, clock: FakeClock, content: Content
) -> None:
    edit = await check_in_daily(harness, clock, 3, 3, 3, 6)
    assert content.message("checkin_rising") in edit["text"]
    assert buttons(edit) == [callbacks.URGENT, callbacks.HOLD_FINE, callbacks.PROGRESS]


async def test_a_steady_trend_only_thanks(
    harness: Harness, clock: FakeClock, content: Content
) -> None:
    edit = await check_in_daily(harness, clock, 3, 2, 3, 3, 2, 3)
    assert edit["text"] == content.message("checkin_thanks", score="3")
    assert buttons(edit) == [callbacks.PROGRESS]


@pytest.mark.parametrize(
    "data", ["checkin:11", "checkin:-1", "checkin:abc", "checkin:07", "checkin:"]
)
async def test_forged_score_is_answered_as_stale(
    harness: Harness, content: Content, data: str
) -> None:
    question = await harness.say("/checkin")
    answer = await harness.press(question.result["message_id"], data)
    assert answer.params.get("text") == content.answers["stale"]


@pytest.mark.parametrize(
    "data", ["checkin:11", "checkin:-1", "checkin:abc", "checkin:07", "checkin:"]
)
async def test_forged_score_stores_nothing(harness: Harness, data: str) -> None:
    question = await harness.say("/checkin")
    await harness.press(question.result["message_id"], data)
    assert harness.store.checkins(harness.chat_id) == []


async def test_deletedata_removes_check_ins(harness: Harness, clock: FakeClock) -> None:
    await check_in_daily(harness, clock, 2, 5)
    await confirm_deletion(harness)
    assert harness.store.checkins(harness.chat_id) == []


async def test_privacy_page_says_check_ins_are_stored_and_erased(content: Content) -> None:
    page = content.pages["privacy"]
    assert "check-in" in page
    assert "/deletedata" in page
