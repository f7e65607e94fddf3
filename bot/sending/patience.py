"""Writing a send's outcome while another process holds the database's write lock.

On the event loop a statement waits at most ``bot.app.LOCK_WAIT`` for a lock. A claim that
meets a lock simply waits for the next tick; but the record of a message already sent must
not be lost, so it is written again every ``RETRY_EVERY`` seconds, with the loop free in
between, by one worker at a time (the others wait their turn without touching the file).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TypeVar

from storage import is_busy

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: Seconds between tries while the database is locked.
RETRY_EVERY = 0.5
#: After this long locked the write fails (the tip stays "sending" and is recorded
#: "uncertain" after a restart, so it is never sent twice).
GIVE_UP_AFTER = 120.0


class Patience:
    """Runs database writes, retrying those that meet another process's lock."""

    def __init__(
        self, *, retry_every: float = RETRY_EVERY, give_up_after: float = GIVE_UP_AFTER
    ) -> None:
        self.retry_every = retry_every
        self.give_up_after = give_up_after
        self._turn = asyncio.Lock()

    async def write(self, action: Callable[[], T]) -> T:
        """``action()``; while the database is locked, again after a pause, until it works
        or ``give_up_after`` has passed (then the last error is raised)."""
        if not self._turn.locked():
            try:
                return action()
            except Exception as error:
                if not is_busy(error):
                    raise
                logger.info("the database is locked by another process; waiting to write")
        # Locked, or another worker already waits for the lock: one at a time from here.
        async with self._turn:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + self.give_up_after
            while True:
                await asyncio.sleep(self.retry_every)
                try:
                    return action()
                except Exception as error:
                    if not is_busy(error) or loop.time() >= deadline:
                        raise
