"""Feedback on daily tips: each chat's answer to "was this helpful?" under a tip."""

from __future__ import annotations

from datetime import datetime

from storage.deliveries import Deliveries
from storage.models import iso_stamp


class Feedback(Deliveries):
    """Each chat's answer about each tip (only a tip the chat was sent: see ``answer_tip``)."""

    def answer_tip(self, chat_id: int, tip_id: str, helpful: bool, now: datetime) -> bool:
        """Record the answer from a tip's feedback buttons, only if the daily tip ``tip_id``
        went to this chat: a forged press, or one on a tip forwarded from another chat,
        stores nothing.

        Returns:
            Whether the answer was recorded.
        """
        with self.db.atomic():
            if not self.was_delivered(chat_id, tip_id):
                return False
            self.set_feedback(chat_id, tip_id, helpful, now)
        return True

    def set_feedback(self, chat_id: int, tip_id: str, helpful: bool, now: datetime) -> bool:
        """Record a chat's answer about a tip; a later answer replaces the earlier one.

        Returns:
            Whether this was the chat's first answer about the tip.
        """
        with self.db.atomic():
            first = (
                self.db.execute(
                    "SELECT 1 FROM feedback WHERE chat_id = ? AND tip_id = ?", [chat_id, tip_id]
                ).fetchone()
                is None
            )
            self.db.execute(
                "INSERT INTO feedback (chat_id, tip_id, helpful, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (chat_id, tip_id) DO UPDATE "
                "SET helpful = excluded.helpful, updated_at = excluded.updated_at",
                [chat_id, tip_id, int(helpful), iso_stamp(now), iso_stamp(now)],
            )
        return first

    def feedback(self, chat_id: int, tip_id: str) -> bool | None:
        """A chat's answer about a tip: True helpful, False not for me, None no answer."""
        row = self.db.execute(
            "SELECT helpful FROM feedback WHERE chat_id = ? AND tip_id = ?", [chat_id, tip_id]
        ).fetchone()
        return None if row is None else bool(row[0])
