"""Where a guided session stands at an instant: pure rules, no database and no clock.

A session runs a technique's steps for their timings (content/sessions.toml). Its
position is worked out from when it started, how long it was paused and how much was
skipped, so a restart of the bot, or a clock moved by a test, puts it exactly where it
should be without anything ticking in between.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

__all__ = ["Feeling", "Position", "Session", "SessionState", "position", "skip"]


class SessionState(enum.StrEnum):
    """running <-> paused -> done (ran to the end) | stopped | pain_stop | ended (stale)."""

    RUNNING = "running"
    PAUSED = "paused"
    #: Every step ran (or was skipped): "how did that feel?" is asked.
    DONE = "done"
    #: The user pressed Stop.
    STOPPED = "stopped"
    #: "Stop - pain spreads or numbness": ended at once, the urgent card shown.
    PAIN_STOP = "pain_stop"
    #: The bot was away too long (or the session was left paused): ended politely.
    ENDED = "ended"

    @property
    def active(self) -> bool:
        """Running or paused: at most one such session per chat."""
        return self in (SessionState.RUNNING, SessionState.PAUSED)


class Feeling(enum.StrEnum):
    """The answer to "how did that feel?" at the end of a session."""

    BETTER = "better"
    SAME = "same"
    WORSE = "worse"


#: A running session whose last step should have ended this long ago is not resumed
#: after a restart: ended politely instead.
STALE_AFTER = timedelta(minutes=15)
#: A session left paused this long is ended the same way.
PAUSE_LIMIT = timedelta(minutes=30)


@dataclass(frozen=True)
class Session:
    """One guided session of one technique, as stored."""

    id: int
    chat_id: int
    technique_id: str
    #: The language its messages are in.
    language: str
    #: The chat's local date when it started: the day it counts for in /progress.
    local_date: date
    started_at: datetime
    state: SessionState
    #: When the running pause began (None: not paused).
    paused_at: datetime | None = None
    #: Seconds spent paused in pauses that ended.
    paused_seconds: float = 0.0
    #: Seconds of steps skipped.
    skipped_seconds: float = 0.0
    #: Paused by the bot as it stopped, not by the user: it goes on when the bot starts.
    held: bool = False
    #: The message the session edits as it goes (None until it is sent).
    message_id: int | None = None
    feeling: Feeling | None = None
    ended_at: datetime | None = None

    def elapsed(self, now: datetime) -> float:
        """Seconds of the session run by ``now``: time since the start, less pauses, plus
        what was skipped (a pause stops it at the pause's start)."""
        until = self.paused_at or now
        run = (until - self.started_at).total_seconds() - self.paused_seconds
        return max(run, 0.0) + self.skipped_seconds

    def position(self, timings: Sequence[int], now: datetime) -> Position:
        """Where this session stands at ``now``."""
        return position(timings, self.elapsed(now))

    def stale(self, timings: Sequence[int], now: datetime) -> bool:
        """Whether it is too late to go on: paused past ``PAUSE_LIMIT``, or running past
        its end by more than ``STALE_AFTER`` (the bot was away)."""
        if self.state is SessionState.PAUSED and self.paused_at is not None:
            return now - self.paused_at > PAUSE_LIMIT
        if self.state is SessionState.RUNNING:
            late = self.elapsed(now) - sum(timings)
            return late > STALE_AFTER.total_seconds()
        return False


@dataclass(frozen=True)
class Position:
    """A session's place at one instant."""

    #: The current step, 0-based (the last one once finished).
    step: int
    #: Seconds left in the current step (0 once finished).
    left: float
    #: Seconds left in the whole session.
    total_left: float
    #: Every step has run.
    finished: bool


def position(timings: Sequence[int], elapsed: float) -> Position:
    """The step and time left after ``elapsed`` seconds of a session with these timings.

    A step ends exactly at its boundary: at 30.0 s of a [30, 15] session, step 1 begins.
    """
    if not timings:
        raise ValueError("a session needs at least one step")
    total = float(sum(timings))
    if elapsed >= total:
        return Position(step=len(timings) - 1, left=0.0, total_left=0.0, finished=True)
    start = 0.0
    for step, seconds in enumerate(timings):
        end = start + seconds
        if elapsed < end:
            return Position(step, end - elapsed, total - elapsed, finished=False)
        start = end
    raise AssertionError("unreachable: elapsed < total")  # pragma: no cover


def skip(timings: Sequence[int], session: Session, now: datetime) -> float:
    """The ``skipped_seconds`` after skipping the current step at ``now``: what is left of
    the step is added, so the next one starts at once."""
    return session.skipped_seconds + session.position(timings, now).left
