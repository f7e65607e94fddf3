"""Holding technique tips back after rising check-ins, the check-in opt-in, and streaks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from content import Content
from storage import Caution, Store
from storage.rules.checkins import streak
from tests.conftest import FakeClock

CHAT = 42
TODAY = date(2026, 11, 26)
LIMIT = 100


def rise(store: Store, clock: FakeClock) -> None:
    """Check in 2, 3, 5 on three days in a row (a rising trend), ending a day later."""
    for score in (2, 3, 5):
        store.check_in(CHAT, score, clock())
        clock.advance(days=1)


def technique_ids(content: Content) -> set[str]:
    """The tips held back on a rising trend: technique tips and general massage tips."""
    return {tip.id for tip in content.tips if tip.technique is not None or tip.massage}


# Holding technique tips back -------------------------------------------------------------------


def test_synced_tips_keep_their_technique(store: Store, content: Content) -> None:
    assert {tip.id: (tip.technique, tip.massage) for tip in store.tips()} == {
        tip.id: (tip.technique, tip.massage) for tip in content.tips
    }


def test_a_rising_trend_holds_technique_tips(store: Store, clock: FakeClock) -> None:
    rise(store, clock)
    subscriber = store.subscriber(CHAT)
    assert subscriber is not None and subscriber.hold_techniques


def test_a_steady_score_holds_nothing(store: Store, clock: FakeClock) -> None:
    store.subscribe(CHAT, clock())
    for _ in range(3):
        store.check_in(CHAT, 4, clock())
        clock.advance(days=1)
    subscriber = store.subscriber(CHAT)
    assert subscriber is not None and not subscriber.hold_techniques


def test_a_lower_score_later_does_not_lift_the_hold(store: Store, clock: FakeClock) -> None:
    """Only the user says when they are fine: a good day is not enough."""
    rise(store, clock)
    store.check_in(CHAT, 0, clock())
    subscriber = store.subscriber(CHAT)
    assert subscriber is not None and subscriber.hold_techniques


def test_while_held_tip_takes_skip_technique_tips(
    store: Store, content: Content, clock: FakeClock
) -> None:
    rise(store, clock)
    taken = [store.take_tip(CHAT, clock()).tip.id for _ in content.tips]
    assert not set(taken) & technique_ids(content)
    general = [
        tip.id
        for tip in content.tips
        if tip.program_day is not None and tip.id not in technique_ids(content)
    ]
    # Every general tip of the program in order, then the library's.
    assert taken[: len(general)] == general


def test_while_held_claims_skip_technique_tips(
    store: Store, content: Content, clock: FakeClock
) -> None:
    store.subscribe(CHAT, clock())
    rise(store, clock)
    first = next(tip for tip in content.tips if tip.technique is not None)
    # Put the subscriber just before the first technique tip.
    store.db.execute("UPDATE subscribers SET tip_cursor = ?", [first.position - 1])
    clock.advance(hours=3)  # 09:00, the tip's time
    claims = store.claim_due(clock(), LIMIT)
    assert len(claims) == 1
    assert claims[0].tip.technique is None and not claims[0].tip.massage
    assert claims[0].tip.position > first.position


def test_saying_fine_lets_technique_tips_come_again(
    store: Store, content: Content, clock: FakeClock
) -> None:
    rise(store, clock)
    store.set_caution(CHAT, Caution.NONE, clock())
    subscriber, changed = store.set_hold(CHAT, False, clock())
    assert changed and not subscriber.hold_techniques
    taken = {store.take_tip(CHAT, clock()).tip.id for _ in content.tips}
    assert technique_ids(content) <= taken


def test_saying_fine_twice_changes_nothing(store: Store, clock: FakeClock) -> None:
    rise(store, clock)
    store.set_hold(CHAT, False, clock())
    assert store.set_hold(CHAT, False, clock())[1] is False


def test_the_hold_survives_reopening(store: Store, clock: FakeClock) -> None:
    rise(store, clock)
    again = Store(store.path)
    try:
        subscriber = again.subscriber(CHAT)
    finally:
        again.close()
    assert subscriber is not None and subscriber.hold_techniques


# The check-in button under the daily tip -------------------------------------------------------


@pytest.mark.parametrize("on", [pytest.param(True, id="on"), pytest.param(False, id="off")])
def test_claims_carry_the_check_in_opt_in(store: Store, clock: FakeClock, on: bool) -> None:
    store.subscribe(CHAT, clock())
    store.set_checkin_prompt(CHAT, on, clock())
    clock.advance(hours=3)
    claims = store.claim_due(clock(), LIMIT)
    assert [claim.checkin_prompt for claim in claims] == [on]


def test_check_in_opt_in_is_off_for_a_new_chat(store: Store, clock: FakeClock) -> None:
    assert not store.ensure(CHAT, clock()).checkin_prompt


# A claim whose chat was erased ---------------------------------------------------------------


def test_mark_sending_after_the_chat_was_deleted_says_not_to_send(
    store: Store, clock: FakeClock
) -> None:
    store.subscribe(CHAT, clock())
    clock.advance(hours=3)
    claims = store.claim_due(clock(), LIMIT)
    store.delete_chat(CHAT)
    assert store.mark_sending(claims[0], clock()) is False
    assert list(store.deliveries(CHAT)) == []


def test_mark_sending_for_a_standing_claim_says_to_send(store: Store, clock: FakeClock) -> None:
    store.subscribe(CHAT, clock())
    clock.advance(hours=3)
    claims = store.claim_due(clock(), LIMIT)
    assert store.mark_sending(claims[0], clock()) is True


# Streaks -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offsets", "expected"),
    [
        pytest.param([], 0, id="none"),
        pytest.param([0], 1, id="today-only"),
        pytest.param([1], 1, id="yesterday-still-counts"),
        pytest.param([2], 0, id="two-days-ago-broke-it"),
        pytest.param([0, 1, 2, 3], 4, id="four-in-a-row"),
        pytest.param([1, 2, 3], 3, id="up-to-yesterday"),
        pytest.param([0, 1, 3, 4, 5], 2, id="a-gap-ends-it"),
        pytest.param([-1, 0], 1, id="future-ignored"),
    ],
)
def test_streak(offsets: list[int], expected: int) -> None:
    assert streak((TODAY - timedelta(days=n) for n in offsets), TODAY) == expected
