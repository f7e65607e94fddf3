"""A person's record over a range of their local days, read at once: check-ins, guided
sessions and how they felt, daily tips and what became of them, warning signs and the safety
state, with every figure /progress, the weekly look back, /report, /export and the charts
show about them (each worked out here, and only here)."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from storage.checkins import CheckIns
from storage.models import Caution, DeliveryStatus
from storage.rules import schedule
from storage.rules.checkins import Checkin, WeekChange, compare_weeks, streak
from storage.rules.safety import Hold, decide
from storage.rules.sessions import Feeling, Session, SessionState
from storage.safety import SafetyState
from storage.sessions import Sessions

#: The weekly look back shows this many days, today the last, beside as many before them.
WEEK = 7


@dataclass(frozen=True)
class Scores:
    """Check-ins, one per local date, oldest first, and what is said about them."""

    checkins: tuple[Checkin, ...] = ()

    @classmethod
    def of(cls, checkins: Iterable[Checkin]) -> Scores:
        """The check-ins in any order; of two on one date, the later in the sequence counts."""
        by_day = {checkin.local_date: checkin for checkin in checkins}
        return cls(tuple(by_day[day] for day in sorted(by_day)))

    @property
    def scores(self) -> list[int]:
        """The scores, oldest first."""
        return [checkin.score for checkin in self.checkins]

    @property
    def count(self) -> int:
        """How many check-ins."""
        return len(self.checkins)

    @property
    def median(self) -> float | None:
        """The middle score (None without check-ins). One check-in is a score, not a median:
        whoever shows it says so (shared safety-facts.md, "One safety state")."""
        return statistics.median(self.scores) if self.checkins else None

    @property
    def lowest(self) -> int | None:
        """The lowest score (None without check-ins)."""
        return min(self.scores, default=None)

    @property
    def highest(self) -> int | None:
        """The highest score (None without check-ins)."""
        return max(self.scores, default=None)

    @property
    def by_day(self) -> dict[date, int]:
        """Each local date's score."""
        return {checkin.local_date: checkin.score for checkin in self.checkins}

    def between(self, first: date, last: date) -> Scores:
        """The check-ins dated ``first`` to ``last``, both included."""
        return Scores(tuple(c for c in self.checkins if first <= c.local_date <= last))

    def weeks(self) -> tuple[tuple[date, Scores], ...]:
        """The check-ins by calendar week, as (its Monday, its check-ins), oldest week first;
        weeks without a check-in are left out."""
        weeks: dict[date, list[Checkin]] = {}
        for checkin in self.checkins:
            monday = checkin.local_date - timedelta(days=checkin.local_date.weekday())
            weeks.setdefault(monday, []).append(checkin)
        return tuple((monday, Scores(tuple(week))) for monday, week in sorted(weeks.items()))


@dataclass(frozen=True)
class Outcomes:
    """Guided sessions counted by how they ended and, those done, by how they felt."""

    done: int
    better: int
    same: int
    worse: int
    #: Done, and "how did that feel?" not answered.
    unanswered: int
    stopped: int
    pain_stop: int
    #: Ended by the bot, or still running: anything not counted above.
    ended: int


@dataclass(frozen=True)
class GuidedSessions:
    """Guided sessions, oldest started first, and what is said about them."""

    sessions: tuple[Session, ...] = ()

    @property
    def count(self) -> int:
        """How many sessions."""
        return len(self.sessions)

    @property
    def outcomes(self) -> Outcomes:
        """The sessions counted by outcome."""
        states = Counter(s.state for s in self.sessions)
        feelings = Counter(s.feeling for s in self.sessions if s.state is SessionState.DONE)
        done, stopped, pain_stop = (
            states[state]
            for state in (SessionState.DONE, SessionState.STOPPED, SessionState.PAIN_STOP)
        )
        return Outcomes(
            done=done,
            better=feelings[Feeling.BETTER],
            same=feelings[Feeling.SAME],
            worse=feelings[Feeling.WORSE],
            unanswered=feelings[None],
            stopped=stopped,
            pain_stop=pain_stop,
            ended=self.count - done - stopped - pain_stop,
        )

    def newest(self) -> tuple[Session, ...]:
        """The sessions newest first (by local date, then when each started)."""
        return tuple(
            sorted(self.sessions, key=lambda s: (s.local_date, s.started_at, s.id), reverse=True)
        )

    def between(self, first: date, last: date) -> GuidedSessions:
        """The sessions of the local dates ``first`` to ``last``, both included."""
        return GuidedSessions(tuple(s for s in self.sessions if first <= s.local_date <= last))


@dataclass(frozen=True)
class SessionCounts:
    """What /progress says about sessions: counted, never scolded, and never a streak (massage
    is at most an add-on to staying active, NICE NG59: nothing rewards a daily habit of it)."""

    this_week: int


@dataclass(frozen=True)
class TipDay:
    """The daily tip of one local date, and what became of it."""

    local_date: date
    #: None while no tip is chosen for the day yet.
    tip_id: str | None
    status: DeliveryStatus


@dataclass(frozen=True)
class LookBack:
    """What the weekly look back shows: the week's check-ins, the week before's, and the
    week's guided sessions."""

    #: The ``WEEK`` local dates shown, oldest first.
    days: tuple[date, ...]
    week: Scores
    before: Scores
    sessions: int

    @property
    def trend(self) -> WeekChange | None:
        """How the week compares with the week before (see ``checkins.compare_weeks``)."""
        return compare_weeks(self.week.scores, self.before.scores)


@dataclass(frozen=True)
class Record:
    """A chat's record over the local dates ``first`` to ``last``, read at ``now``; what is
    not given was not recorded."""

    chat_id: int
    #: The range's first and last local date (``date.min`` and ``date.max``: every day).
    first: date
    last: date
    #: The chat's local date at ``now``.
    today: date
    now: datetime
    #: The check-ins in the range.
    checkins: Scores = Scores()
    #: The guided sessions in the range, started, ended or still running.
    sessions: GuidedSessions = GuidedSessions()
    #: The daily tips of the range, by date.
    tips: tuple[TipDay, ...] = ()
    #: The dates in the range a warning sign was reported at a check-in, each once.
    warning_signs: tuple[date, ...] = ()
    #: The answer to the caution check (None: never asked or answered).
    caution: Caution | None = None
    #: Why massage is held today, most serious first (see ``safety.decide``); a record
    #: carries no permit: nothing made from it teaches massage.
    holds: tuple[Hold, ...] = ()
    #: Days in a row with a check-in up to today (or yesterday, before today's).
    streak: int = 0
    #: Local days since the subscription began, counting its first day; None if not subscribed.
    days_subscribed: int | None = None

    @property
    def days(self) -> int:
        """How many local days the range holds."""
        return (self.last - self.first).days + 1

    @property
    def empty(self) -> bool:
        """Nothing was recorded in the range: no check-in, session or warning sign."""
        return not (self.checkins.checkins or self.sessions.sessions or self.warning_signs)

    @property
    def held(self) -> bool:
        """Whether something holds massage back today."""
        return bool(self.holds)

    @property
    def this_week(self) -> GuidedSessions:
        """The sessions this calendar week (Monday to today) that lie in the range."""
        monday = self.today - timedelta(days=self.today.weekday())
        return self.sessions.between(monday, self.today)

    @property
    def session_counts(self) -> SessionCounts:
        """What /progress says about sessions: how many this calendar week."""
        return SessionCounts(this_week=self.this_week.count)

    def look_back(self) -> LookBack:
        """The weekly look back: the ``WEEK`` days ending with the range's last, beside the
        ``WEEK`` days before them (a record of ``2 * WEEK`` days holds both)."""
        days = tuple(self.last - timedelta(days=back) for back in range(WEEK - 1, -1, -1))
        return LookBack(
            days=days,
            week=self.checkins.between(days[0], days[-1]),
            before=self.checkins.between(
                days[0] - timedelta(days=WEEK), days[0] - timedelta(days=1)
            ),
            sessions=self.sessions.between(days[0], days[-1]).count,
        )


class Records(CheckIns, Sessions, SafetyState):
    """A chat's record, read through the other parts' own queries in one transaction."""

    def record(self, chat_id: int, now: datetime, days: int | None = 30) -> Record:
        """A chat's record over the ``days`` local days ending today, or every day stored.

        The days are the chat's local dates (the default timezone for a chat without
        settings). Nothing is written, even for a chat the bot knows nothing about.

        Args:
            chat_id: the chat.
            now: the current instant.
            days: how many local days, today the last; None for every day stored (dates
                after today too: a chat that moved west may have some).

        Raises:
            ValueError: if ``days`` is below 1.
        """
        if days is not None and days < 1:
            raise ValueError(f"days must be at least 1, not {days}")
        with self.db.atomic():  # one read: the parts agree
            subscriber = self.subscriber(chat_id)
            zone = subscriber.zone if subscriber else schedule.resolve(self.default_timezone)
            today = schedule.local_date(now, zone)
            first, last = (
                (date.min, date.max) if days is None else (today - timedelta(days=days - 1), today)
            )
            checkins = self.checkins(chat_id)
            sessions = self.sessions(chat_id, first, last)
            tips = self._tip_days(chat_id, first, last)
            warning_signs = self.red_flag_days(chat_id, first, last)
        since = subscriber.subscribed_at if subscriber and subscriber.subscribed else None
        return Record(
            chat_id=chat_id,
            first=first,
            last=last,
            today=today,
            now=now,
            checkins=Scores(tuple(checkins)).between(first, last),
            sessions=GuidedSessions(tuple(sessions)),
            tips=tips,
            warning_signs=tuple(warning_signs),
            caution=subscriber.caution if subscriber else None,
            holds=decide(chat_id, subscriber, today).holds,
            streak=streak((c.local_date for c in checkins), today),
            days_subscribed=None
            if since is None
            else (today - schedule.local_date(since, zone)).days + 1,
        )

    def _tip_days(self, chat_id: int, first: date, last: date) -> tuple[TipDay, ...]:
        """The daily tips dated ``first`` to ``last``, oldest first."""
        return tuple(
            TipDay(date.fromisoformat(day), tip_id, DeliveryStatus(status))
            for day, tip_id, status in self.db.execute(
                "SELECT local_date, tip_id, status FROM deliveries WHERE chat_id = ? "
                "AND local_date >= ? AND local_date <= ? ORDER BY local_date",
                [chat_id, first.isoformat(), last.isoformat()],
            ).fetchall()
        )
