"""Telegram's file ids for the uploaded pictures, so each is uploaded once."""

from __future__ import annotations

from datetime import datetime

from storage.base import StoreBase
from storage.models import iso_stamp


class Media(StoreBase):
    """One file id per picture and language."""

    def file_id(self, key: str) -> str | None:
        """Telegram's file id for an uploaded picture (e.g. "zh/pressing"), if known."""
        row = self.db.execute("SELECT file_id FROM media WHERE key = ?", [key]).fetchone()
        return None if row is None else str(row[0])

    def set_file_id(self, key: str, file_id: str, now: datetime) -> None:
        """Remember the file id Telegram gave an uploaded picture."""
        with self.db.atomic():
            self.db.execute(
                "INSERT INTO media (key, file_id, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET file_id = excluded.file_id, "
                "updated_at = excluded.updated_at",
                [key, file_id, iso_stamp(now)],
            )

    def forget_file_id(self, key: str) -> None:
        """Drop a file id Telegram no longer accepts, so the picture is uploaded again."""
        with self.db.atomic():
            self.db.execute("DELETE FROM media WHERE key = ?", [key])

    def forget_file_ids(self) -> int:
        """Drop every file id (the chat's local Bot API keeps files for one run only);
        return how many there were."""
        with self.db.atomic():
            return int(self.db.execute("DELETE FROM media").rowcount)
