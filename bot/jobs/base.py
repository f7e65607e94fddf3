"""One skeleton for every scheduled job: one run at a time, and another process's write
lock ends a run quietly (the next tick goes on from the database, nothing is lost)."""

from __future__ import annotations

import abc
import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Any, Generic, Protocol

from telegram.ext import ExtBot

from bot.sending.fanout import Fanout, Outgoing, Source
from bot.sending.outcome import Outcome, Result
from bot.services import Services
from storage import is_busy

logger = logging.getLogger(__name__)


class Running(Protocol):
    """Whether the bot still runs (an Application)."""

    @property
    def running(self) -> bool: ...


class JobContext(Protocol):
    """What a job reads from its JobQueue callback's context: the bot, and whether the
    application still runs (jobs sit below the handlers' ``BotContext``, which holds them)."""

    @property
    def bot(self) -> ExtBot[Any]: ...

    @property
    def application(self) -> Running: ...


def always() -> bool:
    """``running`` for a run outside the JobQueue (tests, a button): never stopping."""
    return True


class Job(abc.ABC):
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

    async def tick(self, context: JobContext) -> None:
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

    @abc.abstractmethod
    async def run(self, bot: ExtBot[Any], running: Callable[[], bool] = always) -> Any:
        """One run's work."""


class SendingJob(Job, Generic[Source]):
    """A job that sends to many chats through the one fan-out: it only says what it takes
    and renders (``take``), what a stop left unsent becomes (``give_back``) and, if it
    keeps a record of each message, ``claim`` and ``done``."""

    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self.fanout: Fanout[Source] = Fanout(services, self)

    @property
    def sent(self) -> int:
        """Messages sent since the start (for /metrics)."""
        return self.fanout.outcomes[Outcome.SENT]

    async def run(self, bot: ExtBot[Any], running: Callable[[], bool] = always) -> int:
        """Send everything due now; return how many went out."""
        counts = await self.fanout.run(bot, running)
        return counts[Outcome.SENT]

    @abc.abstractmethod
    def take(self, limit: int) -> Sequence[Outgoing[Source]]:
        """Claim up to ``limit`` items due now and render them (see ``Fanned``)."""

    def claim(self, item: Outgoing[Source]) -> bool:
        """Taken is claimed: nothing more to check before the request."""
        return True

    def done(self, item: Outgoing[Source], result: Result[Any]) -> str | None:
        """Nothing to record beyond the fan-out's own counts, and no next try."""
        return None

    @abc.abstractmethod
    def give_back(self, items: Sequence[Outgoing[Source]]) -> None:
        """Make items a stop left unsent due again (see ``Fanned``)."""
