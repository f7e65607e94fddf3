"""The safety state in the database (storage/safety.py), asked through ``Store.massage``:
every reason that holds massage, what lifts each and only it, and the day's holds ending
with the local day."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlite_utils import Database

from storage import Caution, Hold, Store
from storage.migrations import migrations
from tests.conftest import START, FakeClock

CHAT = 5


def allowed_chat(store: Store, clock: FakeClock) -> None:
    store.set_caution(CHAT, Caution.NONE, clock())
    assert store.massage(CHAT, clock()).allowed


def test_nothing_stored_means_the_check_comes_first(store: Store, clock: FakeClock) -> None:
    decision = store.massage(CHAT, clock())
    assert decision.ask and not decision.held and decision.permit is None
    assert store.subscriber(CHAT) is None  # asking creates nothing


def test_an_allowing_decision_carries_a_permit_for_that_chat_and_day(
    store: Store, clock: FakeClock
) -> None:
    allowed_chat(store, clock)
    decision = store.massage(CHAT, clock())
    assert decision.permit is not None
    assert (decision.permit.chat_id, decision.permit.day) == (CHAT, START.date())


@pytest.mark.parametrize("report", ["report_flare", "report_pain_stop", "report_worse"])
def test_the_days_holds_last_until_the_next_local_day(
    store: Store, clock: FakeClock, report: str
) -> None:
    store.set_timezone(CHAT, "Asia/Tokyo", clock())  # 06:00 UTC is 15:00 in Tokyo
    allowed_chat(store, clock)
    getattr(store, report)(CHAT, clock())
    hold = {"report_flare": Hold.FLARE, "report_pain_stop": Hold.PAIN_STOP}.get(report, Hold.WORSE)
    assert store.massage(CHAT, clock()).holds == (hold,)
    clock.advance(hours=8, minutes=59)  # 23:59 in Tokyo: the same local day
    assert store.massage(CHAT, clock()).holds == (hold,)
    clock.advance(minutes=1)  # midnight in Tokyo
    assert store.massage(CHAT, clock()).allowed


def test_a_warning_sign_holds_until_a_clinician_has_seen_them(
    store: Store, clock: FakeClock
) -> None:
    allowed_chat(store, clock)
    day = store.report_warning_sign(CHAT, clock())
    clock.advance(days=30)
    decision = store.massage(CHAT, clock())
    assert decision.holds == (Hold.WARNING_SIGN,) and decision.warning_sign_on == day
    # Nothing else lifts it: not "I feel fine", not the caution answer, not a new day.
    store.set_hold(CHAT, False, clock())
    store.set_caution(CHAT, Caution.CLEARED, clock())
    assert store.massage(CHAT, clock()).holds == (Hold.WARNING_SIGN,)
    subscriber, changed = store.clinician_seen(CHAT, clock())
    assert changed and subscriber.warning_sign_on is None
    assert store.massage(CHAT, clock()).allowed
    assert store.clinician_seen(CHAT, clock())[1] is False  # nothing left to lift
    # The date stays for /report.
    assert store.red_flag_days(CHAT, day, day) == [day]


def test_each_reason_is_lifted_by_its_own_action_only(store: Store, clock: FakeClock) -> None:
    allowed_chat(store, clock)
    store.set_hold(CHAT, True, clock())
    assert store.massage(CHAT, clock()).holds == (Hold.CHECKINS,)
    store.clinician_seen(CHAT, clock())
    assert store.massage(CHAT, clock()).holds == (Hold.CHECKINS,)
    store.set_hold(CHAT, False, clock())  # "I feel fine"
    assert store.massage(CHAT, clock()).allowed
    store.set_caution(CHAT, Caution.APPLIES, clock())
    store.set_hold(CHAT, False, clock())
    assert store.massage(CHAT, clock()).holds == (Hold.CAUTION,)
    store.set_caution(CHAT, Caution.CLEARED, clock())  # "my doctor has cleared me"
    assert store.massage(CHAT, clock()).allowed


def test_every_reason_at_once_most_serious_first(store: Store, clock: FakeClock) -> None:
    store.set_caution(CHAT, Caution.APPLIES, clock())
    store.set_hold(CHAT, True, clock())
    store.report_flare(CHAT, clock())
    store.report_pain_stop(CHAT, clock())
    store.report_worse(CHAT, clock())
    store.report_warning_sign(CHAT, clock())
    store.subscribe(CHAT, clock())
    store.pause(CHAT, None, clock())
    assert store.massage(CHAT, clock()).holds == (
        Hold.WARNING_SIGN,
        Hold.PAIN_STOP,
        Hold.WORSE,
        Hold.CAUTION,
        Hold.CHECKINS,
        Hold.FLARE,
    )
    # A pause holds only what is delivered unasked (a put-off tip, the weekly look back).
    assert store.massage(CHAT, clock(), delivery=True).holds[-1] is Hold.PAUSED


def test_m018_holds_massage_for_warning_signs_reported_before_it() -> None:
    """A warning sign reported before this version held nothing: it holds now, until the
    user says a clinician has seen them (cautious: nothing recorded whether they were)."""
    db = Database(memory=True)
    migrations.apply(db, stop_before="m018_safety_state")
    stamp = datetime(2026, 11, 1, tzinfo=UTC).isoformat()
    for chat in (1, 2):
        db.execute(
            "INSERT INTO subscribers (chat_id, subscribed, tip_time, timezone, tip_cursor, "
            "created_at, updated_at) VALUES (?, 0, '09:00', 'UTC', 0, ?, ?)",
            [chat, stamp, stamp],
        )
    for day in ("2026-10-01", "2026-11-02"):
        db.execute(
            "INSERT INTO red_flags (chat_id, local_date, created_at) VALUES (1, ?, ?)",
            [day, stamp],
        )
    migrations.apply(db)
    held = dict(db.execute("SELECT chat_id, warning_sign_on FROM subscribers").fetchall())
    assert held == {1: "2026-11-02", 2: None}
