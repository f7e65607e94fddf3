"""Pain check-ins in the database (one score per chat and local day) and the rising-trend
hold they set. The rules they apply: ``storage.rules.checkins``."""

from __future__ import annotations

from datetime import date, datetime

from storage.base import StoreBase
from storage.models import Subscriber, iso_stamp
from storage.rules import schedule
from storage.rules.checkins import MAX_SCORE, MIN_SCORE, WINDOW, Checkin, rising


class CheckIns(StoreBase):
    """Check-ins and the hold on tips about massage."""

    def check_in(self, chat_id: int, score: int, now: datetime) -> bool:
        """Store today's pain score for a chat, replacing one given earlier the same local day.

        The day is the chat's local date (the default timezone for a chat without settings).

        Returns:
            Whether the scores are rising (``storage.rules.checkins.rising``). If so, tips
            that teach a technique are held back until ``set_hold(chat_id, False)``.

        Raises:
            ValueError: if ``score`` is outside 0–10.
        """
        if not MIN_SCORE <= score <= MAX_SCORE:
            raise ValueError(f"pain score out of range: {score!r}")
        with self.db.atomic():
            row = self.subscriber(chat_id)
            zone = row.zone if row else schedule.resolve(self.default_timezone)
            today = Checkin(schedule.local_date(now, zone), score)
            self.db.execute(
                "INSERT INTO checkins (chat_id, local_date, score, created_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (chat_id, local_date) DO UPDATE "
                "SET score = excluded.score, created_at = excluded.created_at",
                [chat_id, today.local_date.isoformat(), score, iso_stamp(now)],
            )
            earlier = self._checkins(chat_id, before=today.local_date, limit=WINDOW.days)
            trend = rising(today, earlier)
            if trend:
                self._ensure(chat_id, now)
                self._update(chat_id, now, hold_techniques=1)
        return trend

    def checkins(self, chat_id: int) -> list[Checkin]:
        """A chat's check-ins, oldest first."""
        return self._checkins(chat_id, before=date.max, limit=-1)[::-1]

    def _checkins(self, chat_id: int, *, before: date, limit: int) -> list[Checkin]:
        """Up to ``limit`` (-1: all) check-ins dated before ``before``, newest first."""
        rows = self.db.execute(
            "SELECT local_date, score FROM checkins WHERE chat_id = ? AND local_date < ? "
            "ORDER BY local_date DESC LIMIT ?",
            [chat_id, before.isoformat(), limit],
        ).fetchall()
        return [Checkin(date.fromisoformat(day), score) for day, score in rows]

    def set_hold(self, chat_id: int, hold: bool, now: datetime) -> tuple[Subscriber, bool]:
        """Hold back technique tips, or let them come again (the user says they are fine).

        Returns:
            The settings, and whether this changed anything.
        """
        with self.db.atomic():
            before = self._ensure(chat_id, now)
            if before.hold_techniques != hold:
                self._update(chat_id, now, hold_techniques=int(hold))
            return self._get(chat_id), before.hold_techniques != hold
