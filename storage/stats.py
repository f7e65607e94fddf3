"""Operators' figures from the database: subscribers, deliveries, feedback and check-ins."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from storage.base import StoreBase
from storage.models import DeliveryStatus
from storage.rules import schedule

#: A tip is flagged once it has at least this many answers ...
FLAG_MIN_ANSWERS = 5
#: ... and at least this share of them are "not for me".
FLAG_MIN_SHARE = 0.5
#: Check-in participation is counted over these many days, today included.
RECENT_DAYS = 7
MONTH_DAYS = 30


@dataclass(frozen=True)
class SubscriberCounts:
    """Known chats by state; each chat is counted once."""

    #: Subscribed, not blocked, not paused: gets tips.
    active: int
    #: Subscribed, not blocked, with a pause running at their own local date.
    paused: int
    #: Subscribed, but the user blocked the bot (or the chat is gone).
    blocked: int
    #: Known to the bot but not subscribed (blocked or not).
    unsubscribed: int

    @property
    def total(self) -> int:
        """Every chat the bot knows."""
        return self.active + self.paused + self.blocked + self.unsubscribed


@dataclass(frozen=True)
class DeliveryCounts:
    """One local date's rows of the delivery log, by status."""

    sent: int = 0
    failed: int = 0
    blocked: int = 0
    skipped: int = 0
    uncertain: int = 0
    #: Claimed or sending: on its way right now.
    in_flight: int = 0

    @property
    def total(self) -> int:
        """Every row of that date."""
        return (
            self.sent + self.failed + self.blocked + self.skipped + self.uncertain + self.in_flight
        )


@dataclass(frozen=True)
class Day:
    """One day of the chart: tips sent, failed and blocked, and check-ins, with that local
    date."""

    day: date
    sent: int
    failed: int
    checkins: int
    blocked: int = 0


@dataclass(frozen=True)
class TipFeedback:
    """The answers to "was this helpful?" under one tip."""

    tip_id: str
    helpful: int
    not_helpful: int

    @property
    def answers(self) -> int:
        """How many chats answered."""
        return self.helpful + self.not_helpful

    @property
    def not_helpful_share(self) -> float:
        """The share of answers that were "not for me" (0 without answers)."""
        return self.not_helpful / self.answers if self.answers else 0.0

    @property
    def flagged(self) -> bool:
        """Enough answers, and enough of them "not for me", to look at this tip again."""
        return self.answers >= FLAG_MIN_ANSWERS and self.not_helpful_share >= FLAG_MIN_SHARE


@dataclass(frozen=True)
class Participation:
    """How many chats use the pain check-in."""

    #: Chats with a check-in in the last RECENT_DAYS days (any subscription state).
    chats_recent: int
    #: Chats with a check-in in the last MONTH_DAYS days.
    chats_month: int
    #: Active subscribers with a check-in in the last RECENT_DAYS days.
    active_recent: int
    #: Active subscribers in all.
    active: int

    @property
    def active_share(self) -> float:
        """The share of active subscribers who checked in lately (0 without subscribers)."""
        return self.active_recent / self.active if self.active else 0.0


@dataclass(frozen=True)
class Stats:
    """Everything ``backcare-bot stats`` and /stats show."""

    now: datetime
    #: The UTC date of ``now``: "today" for the delivery log and the chart.
    today: date
    subscribers: SubscriberCounts
    #: The delivery log's rows whose local date is ``today``.
    deliveries_today: DeliveryCounts
    #: One entry per day of the window, oldest first, ending with ``today``.
    days: tuple[Day, ...]
    #: Tips with at least one answer, most disliked first (see ``Store.stats``).
    feedback: tuple[TipFeedback, ...]
    checkins: Participation

    @property
    def flagged(self) -> tuple[TipFeedback, ...]:
        """The tips many people find unhelpful, most disliked first."""
        return tuple(tip for tip in self.feedback if tip.flagged)


class Figures(StoreBase):
    """Operators' figures, read from the counts the triggers keep."""

    def stats(self, now: datetime, days: int = 30) -> Stats:
        """Count subscribers, deliveries, feedback and check-ins.

        Dates in the delivery and check-in logs are each subscriber's local date; "today" is
        the UTC date of ``now``, so today's deliveries are the rows dated that day (a chat far
        east or west of UTC may already or still be on another date). Pauses are judged by each
        subscriber's own local date, as the scheduler does.

        Args:
            now: the current instant (timezone-aware).
            days: how many days the per-day series covers, today included.

        Returns:
            The figures; feedback is sorted flagged tips first, then by "not for me" answers,
            then by their share, then by tip id.
        """
        if days < 1:
            raise ValueError(f"days must be at least 1, not {days}")
        today = now.astimezone(UTC).date()
        first = today - timedelta(days=days - 1)
        recent = (today - timedelta(days=RECENT_DAYS - 1)).isoformat()
        month = (today - timedelta(days=MONTH_DAYS - 1)).isoformat()
        db = self.db

        # Every count below is kept by m020's triggers, exact; only pauses are judged here, by
        # each zone's local date, once per zone and first day back.
        by_state: Counter[str] = Counter()
        paused = paused_recent = live_recent = 0
        for state, zone_name, resume_on, last_checkin, count in db.execute(
            "SELECT state, timezone, resume_on, last_checkin, count FROM subscriber_counts"
        ).fetchall():
            by_state[state] += count
            if state != "live":
                continue
            recently = last_checkin >= recent
            live_recent += count if recently else 0
            if resume_on and schedule.paused_on(
                date.fromisoformat(resume_on), schedule.local_date_in(now, zone_name)
            ):
                paused += count
                paused_recent += count if recently else 0
        subscribers = SubscriberCounts(
            active=by_state["live"] - paused,
            paused=paused,
            blocked=by_state["blocked"],
            unsubscribed=by_state["unsubscribed"],
        )

        # The delivery log's counts per day and status (m012's triggers keep them, and they
        # outlive the log's rows): one range serves both today's statuses and the series.
        per_day: dict[str, Counter[str]] = {}
        for local_date, status, count in db.execute(
            "SELECT local_date, status, count FROM delivery_days "
            "WHERE local_date >= ? AND local_date <= ?",
            [first.isoformat(), today.isoformat()],
        ).fetchall():
            per_day.setdefault(local_date, Counter())[status] = count
        checkins_per_day = dict(
            db.execute(
                "SELECT local_date, count FROM checkin_days "
                "WHERE local_date >= ? AND local_date <= ?",
                [first.isoformat(), today.isoformat()],
            ).fetchall()
        )
        series = []
        for offset in range(days):
            day = (first + timedelta(days=offset)).isoformat()
            statuses = per_day.get(day, Counter())
            series.append(
                Day(
                    day=date.fromisoformat(day),
                    sent=statuses[DeliveryStatus.SENT.value],
                    failed=statuses[DeliveryStatus.FAILED.value],
                    checkins=checkins_per_day.get(day, 0),
                    blocked=statuses[DeliveryStatus.BLOCKED.value],
                )
            )
        statuses = per_day.get(today.isoformat(), Counter())
        deliveries_today = DeliveryCounts(
            sent=statuses[DeliveryStatus.SENT.value],
            failed=statuses[DeliveryStatus.FAILED.value],
            blocked=statuses[DeliveryStatus.BLOCKED.value],
            skipped=statuses[DeliveryStatus.SKIPPED.value],
            uncertain=statuses[DeliveryStatus.UNCERTAIN.value],
            in_flight=statuses[DeliveryStatus.CLAIMED.value]
            + statuses[DeliveryStatus.SENDING.value],
        )

        feedback = sorted(
            (
                TipFeedback(tip_id, helpful, not_helpful)
                for tip_id, helpful, not_helpful in db.execute(
                    "SELECT tip_id, helpful, not_helpful FROM feedback_counts "
                    "WHERE helpful + not_helpful > 0"
                ).fetchall()
            ),
            key=lambda tip: (not tip.flagged, -tip.not_helpful, -tip.not_helpful_share, tip.tip_id),
        )

        # Check-in dates are local too: a chat east of UTC may already be on tomorrow, which
        # still lies within the last N days, so the windows have no upper bound.
        chats_month, chats_recent = db.execute(
            "SELECT coalesce(sum(chats), 0), coalesce(sum(chats * (local_date >= ?)), 0) "
            "FROM checkin_last_days WHERE local_date >= ?",
            [recent, month],
        ).fetchone()
        return Stats(
            now=now,
            today=today,
            subscribers=subscribers,
            deliveries_today=deliveries_today,
            days=tuple(series),
            feedback=tuple(feedback),
            checkins=Participation(
                chats_recent=chats_recent,
                chats_month=chats_month,
                active_recent=live_recent - paused_recent,
                active=subscribers.active,
            ),
        )
