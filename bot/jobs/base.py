"""One skeleton for every scheduled job: one run at a time, and another process's write
lock ends a run quietly (the next tick goes on from the database, nothing is lost)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from telegram.ext import ExtBot

from bot.context import BotContext, Services
from storage import is_busy

logger = logging.getLogger(__name__)


def always() -> bool:
    """``running`` for a run outside the JobQueue (tests, a button): never stopping."""
    return True


class Job:
    """A scheduled job: ``tick`` is the JobQueue callback, ``run`` does one run's work."""

    #: The job's name in the JobQueue and the log.
    name = "job"

    def __init__(self, services: Services) -> None:
        self.services = services
        self._lock = asyncio.Lock()

    @property
    def busy(self) -> bool:
        """Whether a run is going on right now."""
        return self._lock.locked()

    async def tick(self, context: BotContext) -> None:
        """The JobQueue callback: one run, unless the last one is still going."""
        await self.run_once(context.bot, lambda: context.application.running)

    async def run_once(self, bot: ExtBot[Any], running: Callable[[], bool]) -> None:
        """One run now, unless one is going on (then nothing: it covers this tick too)."""
        if self._lock.locked():
            return
        async with self._lock:
            try:
                await self.run(bot, running)
            except Exception as error:
                if not is_busy(error):
                    raise
                logger.debug("%s: the database is busy; the next run goes on", self.name)

    async def run(self, bot: ExtBot[Any], running: Callable[[], bool] = always) -> Any:
        """One run's work."""
        raise NotImplementedError
