"""Operators' broadcasts with their per-chat delivery log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.base import StoreBase
from storage.models import BroadcastStatus, iso_stamp


@dataclass(frozen=True)
class Broadcast:
    """One broadcast: which message of which chat is copied, by whom, and to how many."""

    id: int
    from_chat_id: int
    message_id: int
    created_by: int
    recipients: int


class Broadcasts(StoreBase):
    """Operators' broadcasts: who a broadcast reaches, each chat's copy from pending to its end,
    and the counts."""

    def active_subscribers(self, now: datetime) -> int:
        """How many chats a broadcast would reach now: subscribed, not blocked, not paused (by
        each chat's local date, as /stats counts them)."""
        row = self.db.execute(
            "SELECT count(*) FROM subscribers WHERE subscribed != 0 AND blocked = 0"
        ).fetchone()
        return int(row[0]) - sum(count for _, _, count in self.paused_groups(now))

    def start_broadcast(
        self, from_chat_id: int, message_id: int, created_by: int, now: datetime
    ) -> Broadcast | None:
        """Create a broadcast and a pending row for every chat it reaches, in one transaction.

        Paused chats are left out, by their own local date, as for the daily tip.

        Returns:
            The broadcast, or None if that message was broadcast already (a second tap).
        """
        stamp = iso_stamp(now)
        with self.db.atomic():
            if self.db.execute(
                "SELECT 1 FROM broadcasts WHERE from_chat_id = ? AND message_id = ?",
                [from_chat_id, message_id],
            ).fetchone():
                return None
            cursor = self.db.execute(
                "INSERT INTO broadcasts (from_chat_id, message_id, created_by, created_at) "
                "VALUES (?, ?, ?, ?)",
                [from_chat_id, message_id, created_by, stamp],
            )
            broadcast_id = int(cursor.lastrowid or 0)
            recipients = self.db.execute(
                "INSERT INTO broadcast_deliveries (broadcast_id, chat_id, status, updated_at) "
                "SELECT ?, chat_id, ?, ? FROM subscribers WHERE subscribed != 0 AND blocked = 0",
                [broadcast_id, BroadcastStatus.PENDING.value, stamp],
            ).rowcount
            for zone, resume_on, _ in self.paused_groups(now):
                recipients -= self.db.execute(
                    "DELETE FROM broadcast_deliveries WHERE broadcast_id = ? AND chat_id IN "
                    "(SELECT chat_id FROM subscribers WHERE subscribed != 0 AND blocked = 0 "
                    "AND timezone = ? AND resume_on = ?)",
                    [broadcast_id, zone, resume_on],
                ).rowcount
        return Broadcast(broadcast_id, from_chat_id, message_id, created_by, recipients)

    def broadcast_pending(
        self, broadcast_id: int, limit: int, *, after: int | None = None
    ) -> list[int]:
        """Up to ``limit`` chats the broadcast has still to reach, by chat id, after ``after``
        (so a sender can page through them while earlier ones are still in flight)."""
        rows = self.db.execute(
            "SELECT chat_id FROM broadcast_deliveries WHERE broadcast_id = ? AND status = ? "
            "AND (? IS NULL OR chat_id > ?) ORDER BY chat_id LIMIT ?",
            [broadcast_id, BroadcastStatus.PENDING.value, after, after, limit],
        ).fetchall()
        return [int(row[0]) for row in rows]

    def claim_copy(self, broadcast_id: int, chat_id: int, now: datetime) -> bool:
        """Mark one chat's copy as being sent, just before the request.

        Returns:
            False if it is no longer pending (the broadcast was cancelled): don't send.
        """
        where = "broadcast_id = ? AND chat_id = ?"
        moved = self._move_copies(now, BroadcastStatus.SENDING, where, [broadcast_id, chat_id])
        return moved == 1

    def cancel_broadcast(self, broadcast_id: int, now: datetime) -> int:
        """Cancel what a running broadcast has not sent yet.

        Returns:
            How many chats will not get it (0: nothing was left to cancel).
        """
        return self._move_copies(now, BroadcastStatus.CANCELLED, "broadcast_id = ?", [broadcast_id])

    def recover_broadcasts(self, now: datetime) -> int:
        """After a run that did not shut down cleanly: copies that were being sent may or may
        not have arrived; mark them uncertain (never sent again).

        Returns:
            How many were uncertain.
        """
        # Only unfinished broadcasts can hold one: their rows, by the primary key.
        where = "broadcast_id IN (SELECT id FROM broadcasts WHERE finished_at IS NULL)"
        return self._move_copies(
            now, BroadcastStatus.UNCERTAIN, where, [], only_from=BroadcastStatus.SENDING
        )

    def mark_copy(
        self, broadcast_id: int, chat_id: int, status: BroadcastStatus, now: datetime
    ) -> None:
        """Record what happened to one chat's copy."""
        where = "broadcast_id = ? AND chat_id = ?"
        self._move_copies(now, status, where, [broadcast_id, chat_id], only_from=None)

    def _move_copies(
        self,
        now: datetime,
        status: BroadcastStatus,
        where: str,
        params: list[Any],
        *,
        only_from: BroadcastStatus | None = BroadcastStatus.PENDING,
    ) -> int:
        """Set ``status`` on the copies ``where`` selects (a condition written in this module,
        never from users) that are at ``only_from`` (None: at any status); return how many."""
        if only_from is not None:
            where, params = f"{where} AND status = ?", [*params, only_from.value]
        with self.db.atomic():
            return int(
                self.db.execute(
                    f"UPDATE broadcast_deliveries SET status = ?, updated_at = ? WHERE {where}",
                    [status.value, iso_stamp(now), *params],
                ).rowcount
            )

    def broadcast_counts(self, broadcast_id: int) -> dict[BroadcastStatus, int]:
        """How many chats are at each status, every status present (0 if none): the rows
        left, plus the copies whose rows were deleted (after retention, or /deletedata)."""
        found: dict[str, int] = dict(
            self.db.execute(
                "SELECT status, sum(n) FROM (SELECT status, count(*) AS n "
                "FROM broadcast_deliveries WHERE broadcast_id = ? GROUP BY status "
                "UNION ALL SELECT status, count FROM broadcast_counts WHERE broadcast_id = ?) "
                "GROUP BY status",
                [broadcast_id, broadcast_id],
            ).fetchall()
        )
        return {status: int(found.get(status.value, 0)) for status in BroadcastStatus}

    def finish_broadcast(self, broadcast_id: int, now: datetime) -> None:
        """Record that a broadcast has reached every chat it could."""
        with self.db.atomic():
            self.db.execute(
                "UPDATE broadcasts SET finished_at = ? WHERE id = ?", [iso_stamp(now), broadcast_id]
            )

    def unfinished_broadcasts(self) -> list[Broadcast]:
        """Broadcasts a stop interrupted, oldest first, to go on with after a restart."""
        rows = self.db.execute(
            "SELECT b.id, b.from_chat_id, b.message_id, b.created_by, count(d.chat_id) "
            "FROM broadcasts b LEFT JOIN broadcast_deliveries d ON d.broadcast_id = b.id "
            "WHERE b.finished_at IS NULL GROUP BY b.id ORDER BY b.id"
        ).fetchall()
        return [Broadcast(*(int(value) for value in row)) for row in rows]
