"""Feedback on daily tips: each chat's answer to "was this helpful?" under a tip."""

from __future__ import annotations

from datetime import datetime

from storage.base import StoreBase
from storage.models import iso_stamp


class Feedback(StoreBase):
    """Each chat's answer about each tip."""

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
