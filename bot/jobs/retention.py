"""The retention job: deletes what is older than the window (BACKCARE_KEEP_DAYS), a small
batch at a time, so neither the event loop nor the database's write lock is held long.

Each batch is one short transaction (``Store.prune_deliveries``, ``prune_broadcasts``). Its
size follows the time the last one took, aiming at ``BATCH_TARGET``; between batches the
loop is free for updates, the daily tips and other processes. The figures stay: m012's
triggers counted every row long before it is deleted here.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.jobs.base import JobContext
from bot.services import Services
from storage import Store, Window, is_busy

logger = logging.getLogger(__name__)

JOB_NAME = "retention"
#: How often the job runs; each run deletes what aged out since the last.
INTERVAL_SECONDS = 3600.0
#: The first run this long after the start, once the first daily-tip runs are done.
FIRST_SECONDS = 60.0
#: Each batch aims at this long in the database, well under the ~50 ms a batch may take.
BATCH_TARGET = 0.02
#: The first batch's size; later ones stay within these bounds, and grow at most this
#: much a step.
BATCH_START = 500
BATCH_MIN, BATCH_MAX, BATCH_GROWTH = 50, 50_000, 2.0
#: Between batches the loop is free at least this long, and at least as long as the batch
#: took (REST times it): a long run, such as the first one after an upgrade with a year of
#: history, takes at most half the loop's time.
BATCH_PAUSE = 0.01
REST = 1.0
#: After deleting this many rows, wait for a checkpoint (in a thread) before going on.
#: Deleting a row writes about a page (4 KiB) to the WAL; while the job deletes without a
#: break, the bot's own checkpoints never catch up and the WAL grows by gigabytes. This
#: keeps it near 100 MiB.
CHECKPOINT_ROWS = 25_000

#: What is pruned, in order: table name (for logs and /metrics), and the batch.
_PRUNERS: tuple[tuple[str, Callable[[Store, Window, int], int]], ...] = (
    ("deliveries", Store.prune_deliveries),
    ("broadcast_deliveries", Store.prune_broadcasts),
)


@dataclass(frozen=True)
class Run:
    """What one run of the job did."""

    finished_at: datetime
    #: Rows deleted, by table (tables with none left out).
    deleted: dict[str, int]
    batches: int
    #: The longest batch, in seconds (the longest the loop and the write lock were held).
    longest: float
    #: Why it stopped before the end ("busy", "stopping"), or None if it finished.
    stopped: str | None = None


class Retention:
    """Deletes old rows in timed batches; one run at a time."""

    def __init__(
        self,
        services: Services,
        *,
        target: float = BATCH_TARGET,
        pause: float = BATCH_PAUSE,
        rest: float = REST,
        timer: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.services = services
        self.target = target
        self.pause = pause
        self.rest = rest
        self.timer = timer
        #: The next batch's size, per table: rows of the two tables cost very different
        #: times (a delivery row has four indexes and a trigger to update).
        self.sizes = {table: BATCH_START for table, _ in _PRUNERS}
        #: Rows deleted since the start, by table (for /metrics).
        self.deleted: Counter[str] = Counter()
        self.last: Run | None = None
        self._lock = asyncio.Lock()

    async def tick(self, context: JobContext) -> None:
        """The job's callback: one run, stopping early if the bot stops."""
        await self.run(lambda: context.application.running)

    async def run(self, running: Callable[[], bool] = lambda: True) -> Run | None:
        """Delete everything older than the window now, batch by batch.

        Another process's write lock ends the run (the next one goes on); nothing is
        half-deleted, since each batch is one transaction.

        Returns:
            What the run did, or None if a run was already going.
        """
        if self._lock.locked():
            return None
        async with self._lock:
            services = self.services
            window = Window(services.clock(), services.settings.keep_days)
            deleted: Counter[str] = Counter()
            batches, longest, stopped = 0, 0.0, None
            unchecked = 0  # rows deleted since the last checkpoint
            for table, prune in _PRUNERS:
                while stopped is None:
                    if not running():
                        stopped = "stopping"
                        break
                    start = self.timer()
                    try:
                        count = prune(services.store, window, self.sizes[table])
                    except Exception as error:
                        if not is_busy(error):
                            raise
                        stopped = "busy"
                        break
                    elapsed = self.timer() - start
                    batches += 1
                    longest = max(longest, elapsed)
                    deleted[table] += count
                    self.deleted[table] += count
                    unchecked += count
                    if count == 0:
                        break  # nothing older is left in this table
                    self._resize(table, elapsed)
                    if unchecked >= CHECKPOINT_ROWS:
                        await asyncio.to_thread(services.store.checkpoint)
                        unchecked = 0
                    await asyncio.sleep(max(self.pause, elapsed * self.rest))
            if unchecked:
                await asyncio.to_thread(services.store.checkpoint)
            found = {table: count for table, count in deleted.items() if count}
            run = Run(services.clock(), found, batches, longest, stopped)
            self.last = run
        if stopped == "busy":
            logger.info("retention: the database is busy; the next run goes on")
        if found:
            logger.info(
                "retention: deleted %d delivery rows and %d broadcast copies older than %d "
                "days, in %d batches (longest %.0f ms)",
                deleted["deliveries"],
                deleted["broadcast_deliveries"],
                window.keep_days,
                batches,
                longest * 1000,
            )
        return run

    def _resize(self, table: str, elapsed: float) -> None:
        """Aim the next batch of ``table`` at ``target`` seconds, from how long this one took."""
        size = self.sizes[table]
        wanted = size * self.target / max(elapsed, 1e-6)
        grown = min(wanted, size * BATCH_GROWTH)
        self.sizes[table] = int(min(max(grown, BATCH_MIN), BATCH_MAX))
