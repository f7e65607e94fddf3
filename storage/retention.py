"""Retention: the delivery log and broadcast copies are deleted once they are older than
the window; their figures stay, as anonymous counts.

* The delivery log's counts per local date and status live in ``delivery_days``, kept up
  to date by triggers (migration m012) as rows are written, so they were counted long
  before a row is deleted here.
* A broadcast's copies are counted into ``broadcast_counts`` by a trigger as their rows
  are deleted, so the rows left and the counts always add up to the whole.

Each call deletes one batch in one short transaction; the caller (``bot.jobs.retention``)
sizes the batches to a time budget and lets other work run in between.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from storage.base import StoreBase
from storage.models import iso_stamp

#: Delivery rows and broadcast copies are kept this many days by default.
DEFAULT_KEEP_DAYS = 90
#: The least window allowed. A chat's row for its current local day is what stops a
#: second tip that day, and a retry reads it; a week keeps far more than that, and the
#: "was this tip delivered?" check behind the feedback buttons keeps working for a week.
MIN_KEEP_DAYS = 7
#: The most: a hundred years, i.e. keep everything.
MAX_KEEP_DAYS = 36_500


@dataclass(frozen=True)
class Window:
    """What is old enough to delete at one instant, for a window of ``keep_days``."""

    now: datetime
    keep_days: int

    def __post_init__(self) -> None:
        if self.keep_days < MIN_KEEP_DAYS:
            raise ValueError(f"keep_days must be at least {MIN_KEEP_DAYS}, not {self.keep_days}")

    @property
    def first_kept(self) -> date:
        """The oldest local date whose delivery rows are kept: ``keep_days`` days of rows,
        counted back from today's UTC date included."""
        return self.now.astimezone(UTC).date() - timedelta(days=self.keep_days - 1)

    @property
    def ended_before(self) -> str:
        """Broadcasts that finished before this stamp lose their per-chat rows."""
        return iso_stamp(self.now - timedelta(days=self.keep_days))


@dataclass(frozen=True)
class Size:
    """Rows and the file's pages: what retention keeps bounded."""

    deliveries: int
    broadcast_copies: int
    #: Pages in use (the file's pages less the free list), and the page size.
    pages: int
    page_size: int

    @property
    def bytes_used(self) -> int:
        """Bytes of the file holding data (the free pages are reused before it grows)."""
        return self.pages * self.page_size


class Retention(StoreBase):
    """Deleting what is older than the window, one batch at a time, and what it keeps bounded."""

    def prune_deliveries(self, window: Window, limit: int) -> int:
        """Delete up to ``limit`` delivery rows dated before the window, oldest dates first.

        Returns:
            How many were deleted (fewer than ``limit``: nothing older is left).
        """
        with self.db.atomic():
            # The (local_date, status) index hands out the oldest rows first, by rowid.
            return int(
                self.db.execute(
                    "DELETE FROM deliveries WHERE rowid IN "
                    "(SELECT rowid FROM deliveries WHERE local_date < ? LIMIT ?)",
                    [window.first_kept.isoformat(), limit],
                ).rowcount
            )

    def prune_broadcasts(self, window: Window, limit: int) -> int:
        """Delete up to ``limit`` per-chat rows of one broadcast that finished before the
        window; its counts stay (``broadcast_counts``, by m012's trigger).

        Returns:
            How many rows were deleted (0: no finished broadcast has rows left to drop).
        """
        db = self.db
        with db.atomic():
            found = db.execute(
                "SELECT id FROM broadcasts b WHERE finished_at IS NOT NULL AND finished_at < ? "
                "AND EXISTS (SELECT 1 FROM broadcast_deliveries d WHERE d.broadcast_id = b.id) "
                "ORDER BY id LIMIT 1",
                [window.ended_before],
            ).fetchone()
            if found is None:
                return 0
            return int(
                db.execute(
                    "DELETE FROM broadcast_deliveries WHERE broadcast_id = ? AND chat_id IN "
                    "(SELECT chat_id FROM broadcast_deliveries WHERE broadcast_id = ? "
                    "ORDER BY chat_id LIMIT ?)",
                    [found[0], found[0], limit],
                ).rowcount
            )

    def size(self) -> Size:
        """Count the rows retention deletes, and the pages in use."""
        db = self.db
        (deliveries,) = db.execute("SELECT count(*) FROM deliveries").fetchone()
        (copies,) = db.execute("SELECT count(*) FROM broadcast_deliveries").fetchone()
        (pages,) = db.execute("PRAGMA page_count").fetchone()
        (free,) = db.execute("PRAGMA freelist_count").fetchone()
        (page_size,) = db.execute("PRAGMA page_size").fetchone()
        return Size(int(deliveries), int(copies), int(pages) - int(free), int(page_size))
