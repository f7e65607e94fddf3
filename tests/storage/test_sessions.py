"""Guided sessions in the database: one running per chat, guarded state changes, the
feeling, /progress counts, and /deletedata."""

from __future__ import annotations

import sqlite3
from dataclasses import fields
from datetime import date, timedelta

import pytest

from storage import Store
from storage.record import SessionCounts
from storage.rules.sessions import Feeling, SessionState
from tests.conftest import START, FakeClock, permit

TIMINGS = (30, 15, 120, 120, 15)
CHAT = 7


def test_one_session_runs_per_chat(store: Store, clock: FakeClock) -> None:
    first = store.start_session(permit(store, CHAT, clock()), "kneading", "en", clock())
    assert first is not None and first.state is SessionState.RUNNING
    assert first.local_date == START.date() and first.started_at == START
    assert store.start_session(permit(store, CHAT, clock()), "pressing", "en", clock()) is None
    assert (
        store.start_session(permit(store, CHAT + 1, clock()), "pressing", "en", clock()) is not None
    )  # another chat
    assert store.active_session(CHAT) == first
    # The database says so too, whatever the code above it does.
    with pytest.raises(sqlite3.IntegrityError):
        store.db.execute(
            "INSERT INTO sessions (chat_id, technique_id, language, local_date, started_at, "
            "state, updated_at) VALUES (?, 'pushing', 'en', '2026-11-26', 'x', 'paused', 'x')",
            [CHAT],
        )
    store.end_session(first.id, SessionState.STOPPED, clock())
    assert store.active_session(CHAT) is None
    assert store.start_session(permit(store, CHAT, clock()), "pressing", "en", clock()) is not None


def test_pause_resume_and_skip_move_the_session_as_the_user_sees_it(
    store: Store, clock: FakeClock
) -> None:
    started = store.start_session(permit(store, CHAT, clock()), "kneading", "en", clock())
    assert started is not None
    clock.advance(seconds=40)
    paused = store.pause_session(started.id, clock())
    assert paused is not None and paused.state is SessionState.PAUSED
    assert store.pause_session(started.id, clock()) is None  # a second press: stale
    assert store.skip_step(started.id, TIMINGS, clock()) is None  # not while paused
    clock.advance(minutes=10)
    assert paused.position(TIMINGS, clock()).left == 5
    resumed = store.resume_session(started.id, clock())
    assert resumed is not None and resumed.paused_seconds == 600
    assert resumed.position(TIMINGS, clock()).left == 5
    assert store.resume_session(started.id, clock()) is None
    skipped = store.skip_step(started.id, TIMINGS, clock())
    assert skipped is not None
    where = skipped.position(TIMINGS, clock())
    assert (where.step, where.left) == (2, 120)


def test_ending_is_once_and_the_feeling_only_after(store: Store, clock: FakeClock) -> None:
    started = store.start_session(permit(store, CHAT, clock()), "grasping", "en", clock())
    assert started is not None
    assert store.set_feeling(started.id, Feeling.BETTER, clock()) is None  # still running
    with pytest.raises(ValueError, match="does not end"):
        store.end_session(started.id, SessionState.PAUSED, clock())
    done = store.end_session(started.id, SessionState.DONE, clock())
    assert done is not None and done.ended_at == clock()
    assert store.end_session(started.id, SessionState.STOPPED, clock()) is None
    felt = store.set_feeling(started.id, Feeling.WORSE, clock())
    assert felt is not None and felt.feeling is Feeling.WORSE
    assert store.sessions(CHAT) == [felt]


def test_the_running_ones_are_found_for_the_session_job(store: Store, clock: FakeClock) -> None:
    ids = []
    for chat in (1, 2, 3):
        started = store.start_session(permit(store, chat, clock()), "pushing", "en", clock())
        assert started is not None
        ids.append(started.id)
    store.pause_session(ids[1], clock())
    store.end_session(ids[2], SessionState.STOPPED, clock())
    assert [s.id for s in store.active_sessions()] == ids[:2]
    store.set_session_message(ids[0], 55, clock())
    assert store.active_sessions()[0].message_id == 55


def test_progress_counts_this_week(store: Store, clock: FakeClock) -> None:
    # START is Thursday 2026-11-26; sessions on Mon, Tue, Wed (twice) and Thu.
    for back in (3, 2, 1, 1, 0):
        clock.set(START - timedelta(days=back))
        started = store.start_session(permit(store, CHAT, clock()), "kneading", "en", clock())
        assert started is not None
        store.end_session(started.id, SessionState.DONE, clock())
    assert store.record(CHAT, START).session_counts == SessionCounts(this_week=5)
    # A count, never days in a row (no streak of daily massage); a new week starts on Monday.
    assert [field.name for field in fields(SessionCounts)] == ["this_week"]
    assert store.record(CHAT, START + timedelta(days=4)).session_counts.this_week == 0


def test_a_session_starts_on_the_chats_local_date(store: Store, clock: FakeClock) -> None:
    store.subscribe(CHAT, clock())
    store.set_timezone(CHAT, "Pacific/Honolulu", clock())  # UTC-10: still Wednesday evening
    started = store.start_session(permit(store, CHAT, clock()), "kneading", "en", clock())
    assert started is not None and started.local_date == date(2026, 11, 25)


def test_deletedata_deletes_the_sessions(store: Store, clock: FakeClock) -> None:
    started = store.start_session(permit(store, CHAT, clock()), "kneading", "en", clock())
    assert started is not None
    store.delete_chat(CHAT)
    assert store.sessions(CHAT) == [] and store.session(started.id) is None


def test_a_stopping_bot_holds_running_sessions_and_resuming_goes_on_at_the_same_step(
    store: Store, clock: FakeClock
) -> None:
    running = store.start_session(permit(store, CHAT, clock()), "kneading", "zh", clock())
    mine = store.start_session(permit(store, CHAT + 1, clock()), "kneading", "en", clock())
    assert running is not None and mine is not None
    store.set_session_message(running.id, 55, clock())  # both in the chat
    store.set_session_message(mine.id, 56, clock())
    store.pause_session(mine.id, clock())  # the user's own pause stays the user's
    clock.advance(seconds=50)
    assert store.hold_sessions(clock()) == 1
    held = store.session(running.id)
    assert held is not None and held.held and held.state is SessionState.PAUSED
    assert held.language == "zh"
    clock.advance(minutes=5)  # the bot is down
    resumed = store.resume_session(running.id, clock())
    assert resumed is not None and not resumed.held
    where = resumed.position(TIMINGS, clock())
    assert (where.step, where.left) == (2, 115)  # 50 s in, as when it stopped
    other = store.session(mine.id)
    assert other is not None and not other.held


def test_a_session_whose_message_was_never_sent_is_discarded_and_counted_nowhere(
    store: Store, clock: FakeClock
) -> None:
    started = store.start_session(permit(store, CHAT, clock()), "kneading", "en", clock())
    assert started is not None
    assert store.discard_session(started.id) is True
    assert store.session(started.id) is None and store.active_session(CHAT) is None
    assert store.sessions(CHAT) == []
    assert store.record(CHAT, clock()).session_counts == SessionCounts(this_week=0)
    assert store.chat_record(CHAT).get("sessions", []) == []
    # A new one can start at once.
    assert store.start_session(permit(store, CHAT, clock()), "kneading", "en", clock()) is not None


def test_a_session_with_a_message_is_never_discarded(store: Store, clock: FakeClock) -> None:
    started = store.start_session(permit(store, CHAT, clock()), "kneading", "en", clock())
    assert started is not None
    store.set_session_message(started.id, 500, clock())
    assert store.discard_session(started.id) is False
    assert store.session(started.id) is not None


def test_a_stopping_bot_leaves_a_mini_app_session_running(store: Store, clock: FakeClock) -> None:
    """Its clock runs on the device, which goes on while the bot is away: held, the server
    would fall behind the page by the time the bot was down."""
    in_app = store.start_session(permit(store, CHAT, clock()), "kneading", "en", clock())
    assert in_app is not None and in_app.message_id is None
    clock.advance(seconds=50)
    assert store.hold_sessions(clock()) == 0
    clock.advance(minutes=1)  # the bot is down; the page goes on
    found = store.session(in_app.id)
    assert found is not None and found.state is SessionState.RUNNING and not found.held
    assert found.position(TIMINGS, clock()).step == 2  # 110 s in: the page's step too
