"""Where a guided session stands: steps and time left, pauses, skips, staleness."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage.rules.sessions import (
    PAUSE_LIMIT,
    STALE_AFTER,
    Session,
    SessionState,
    position,
    skip,
)

TIMINGS = (30, 15, 120, 120, 15)  # kneading: 300 s
T0 = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)


def session(**changes: object) -> Session:
    values: dict[str, object] = {
        "id": 1,
        "chat_id": 7,
        "technique_id": "kneading",
        "language": "en",
        "local_date": date(2026, 11, 30),
        "started_at": T0,
        "state": SessionState.RUNNING,
    }
    values.update(changes)
    return Session(**values)  # type: ignore[arg-type]


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("elapsed", "step", "left", "total_left"),
    [
        (0, 0, 30, 300),
        (29.5, 0, 0.5, 270.5),
        (30, 1, 15, 270),  # a step ends exactly at its boundary
        (44, 1, 1, 256),
        (45, 2, 120, 255),
        (299, 4, 1, 1),
    ],
)
def test_the_position_follows_the_timings(
    elapsed: float, step: int, left: float, total_left: float
) -> None:
    where = position(TIMINGS, elapsed)
    assert (where.step, where.left, where.total_left, where.finished) == (
        step,
        left,
        total_left,
        False,
    )


@pytest.mark.parametrize("elapsed", [300, 301, 10_000])
def test_at_the_end_the_session_is_finished_on_its_last_step(elapsed: float) -> None:
    where = position(TIMINGS, elapsed)
    assert (where.step, where.left, where.total_left, where.finished) == (4, 0, 0, True)


@given(st.lists(st.integers(1, 600), min_size=1, max_size=8), st.floats(0, 5000))
def test_time_left_always_adds_up(timings: list[int], elapsed: float) -> None:
    where = position(timings, elapsed)
    assert 0 <= where.left <= timings[where.step]
    if where.finished:
        assert elapsed >= sum(timings)
    else:
        done_before = sum(timings[: where.step])
        assert where.total_left == pytest.approx(sum(timings) - elapsed)
        assert where.left == pytest.approx(done_before + timings[where.step] - elapsed)


def test_a_pause_stops_the_clock_and_a_resume_goes_on_where_it_was() -> None:
    paused = session(state=SessionState.PAUSED, paused_at=at(40))
    assert paused.position(TIMINGS, at(40 + 600)).left == 5  # 10 min later, still 5 s left
    resumed = session(paused_seconds=600)  # the pause, 600 s, is over
    assert resumed.position(TIMINGS, at(640)).left == 5
    assert resumed.position(TIMINGS, at(645)).step == 2


def test_skipping_starts_the_next_step_at_once() -> None:
    running = session()
    skipped = session(skipped_seconds=skip(TIMINGS, running, at(10)))
    assert skipped.skipped_seconds == 20
    where = skipped.position(TIMINGS, at(10))
    assert (where.step, where.left) == (1, 15)
    # Skipping the last step finishes the session.
    last = session(skipped_seconds=0)
    last = session(skipped_seconds=skip(TIMINGS, last, at(290)))
    assert last.position(TIMINGS, at(290)).finished


def test_a_session_is_stale_long_after_its_end_or_when_paused_too_long() -> None:
    running = session()
    end = sum(TIMINGS)
    assert not running.stale(TIMINGS, at(end + STALE_AFTER.total_seconds()))
    assert running.stale(TIMINGS, at(end + STALE_AFTER.total_seconds() + 1))
    paused = session(state=SessionState.PAUSED, paused_at=at(60))
    assert not paused.stale(TIMINGS, at(60) + PAUSE_LIMIT)
    assert paused.stale(TIMINGS, at(61) + PAUSE_LIMIT)
    assert not session(state=SessionState.DONE).stale(TIMINGS, at(100_000))


def test_only_running_and_paused_sessions_are_active() -> None:
    assert {state for state in SessionState if state.active} == {
        SessionState.RUNNING,
        SessionState.PAUSED,
    }
