"""The safety state in the database: the decision asked for a chat at an instant (the rule
itself is ``storage.rules.safety.decide``), and the holds kept here: bad days, the pain stop,
worse, and warning signs until a clinician has seen them."""

from __future__ import annotations

from datetime import date, datetime

from storage.base import StoreBase
from storage.models import Subscriber, iso_stamp
from storage.rules import schedule
from storage.rules.safety import Decision, decide


class SafetyState(StoreBase):
    """The safety state in the database: asking for the decision, and what sets and lifts
    the holds that are not the caution answer or the check-in hold."""

    def massage(self, chat_id: int, now: datetime, *, delivery: bool = False) -> Decision:
        """The decision for ``chat_id`` at ``now``, on its local date (see ``decide``)."""
        subscriber = self.subscriber(chat_id)
        zone = subscriber.zone if subscriber else schedule.resolve(self.default_timezone)
        return decide(chat_id, subscriber, schedule.local_date(now, zone), delivery=delivery)

    def report_flare(self, chat_id: int, now: datetime) -> Subscriber:
        """Record a bad day on the chat's local date: massage is held for the rest of it."""
        return self._hold_today(chat_id, now, "flare_on")

    def report_pain_stop(self, chat_id: int, now: datetime) -> Subscriber:
        """Record a session's pain stop: massage is held for the rest of the local day."""
        return self._hold_today(chat_id, now, "pain_stop_on")

    def report_worse(self, chat_id: int, now: datetime) -> Subscriber:
        """Record a session that felt worse: massage is held for the rest of the local day."""
        return self._hold_today(chat_id, now, "worse_on")

    def report_warning_sign(self, chat_id: int, now: datetime) -> date:
        """Record a warning sign reported at a check-in, on the chat's local date: it shows
        on /report, and massage is held until ``clinician_seen``. Returns that date."""
        with self.db.atomic():
            subscriber = self._ensure(chat_id, now)
            today = schedule.local_date(now, subscriber.zone)
            self.db.execute(
                "INSERT INTO red_flags (chat_id, local_date, created_at) VALUES (?, ?, ?)",
                [chat_id, today.isoformat(), iso_stamp(now)],
            )
            self._update(chat_id, now, warning_sign_on=today.isoformat())
        return today

    def clinician_seen(self, chat_id: int, now: datetime) -> tuple[Subscriber, bool]:
        """The user says a clinician has seen them since the warning sign: lift that hold.

        Returns:
            The settings, and whether this changed anything (False: nothing was held).
        """
        with self.db.atomic():
            before = self._ensure(chat_id, now)
            if before.warning_sign_on is None:
                return before, False
            self._update(chat_id, now, warning_sign_on=None)
            return self._get(chat_id), True

    def red_flag_days(self, chat_id: int, since: date, until: date) -> list[date]:
        """The local dates in ``since``..``until`` a warning sign was reported, each once."""
        return [
            date.fromisoformat(day)
            for (day,) in self.db.execute(
                "SELECT DISTINCT local_date FROM red_flags WHERE chat_id = ? "
                "AND local_date >= ? AND local_date <= ? ORDER BY local_date",
                [chat_id, since.isoformat(), until.isoformat()],
            ).fetchall()
        ]

    def _hold_today(self, chat_id: int, now: datetime, column: str) -> Subscriber:
        with self.db.atomic():
            subscriber = self._ensure(chat_id, now)
            today = schedule.local_date(now, subscriber.zone)
            self._update(chat_id, now, **{column: today.isoformat()})
            return self._get(chat_id)
