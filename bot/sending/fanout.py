"""One fan-out for every job that sends to many chats: what the job takes, sent through the
one engine.

A job says what it takes and renders (``take``: claims up to n items in one transaction,
so each goes out at most once, even across a restart, and renders each as an
``Outgoing`` message), what to record when one ends (``done``), and what to do with those
a stop left unsent (``give_back``); the fan-out does the rest the same way for every job:

- it takes batches within one run until nothing is due (or the bot stops);
- ``max_in_flight`` workers send at once (the one stop-aware pool), each request paced by
  the bot's limiter at bulk priority, so replies to users go first;
- every send goes up the one retry ladder (timeouts, 5xx and 429s again; a 400 never);
- a chat that is gone (blocked the bot, deleted) is marked blocked, in one transaction;
- one chat's failure, a refusal or a bug rendering its message, never stops the others: it
  is caught, counted and logged once;
- items taken but never sent because the bot stopped are given back (``give_back``).
"""

from __future__ import annotations

import logging
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from telegram import InlineKeyboardMarkup
from telegram.ext import ExtBot

from bot.context import Services
from bot.sending.outcome import Outcome, Result, send_with_retries
from bot.sending.patience import Patience
from bot.sending.pool import run_pool
from bot.sending.ratelimit import BULK, BULK_PREPACED, PriorityRateLimiter
from storage import is_busy

logger = logging.getLogger(__name__)

#: Items a job takes per transaction.
BATCH = 200

Source = TypeVar("Source")


@dataclass(frozen=True)
class Outgoing(Generic[Source]):
    """One message a job sends: to whom, what, and what it was taken from."""

    chat_id: int
    text: str
    keyboard: InlineKeyboardMarkup | None
    #: What the job took it from (to record its end, or give it back).
    source: Source
    #: A message to copy instead of ``text`` (an operator's broadcast): its chat and id.
    copy_of: tuple[int, int] | None = None


class Fanned(Protocol[Source]):
    """What a job that sends to many chats says; the fan-out does the rest."""

    #: The job's name, for the log.
    name: str

    def take(self, limit: int) -> Sequence[Outgoing[Source]]:
        """Claim up to ``limit`` items due now in one transaction and render them (must not
        await). Items with nothing to send are claimed and left out."""
        ...

    def claim(self, item: Outgoing[Source]) -> bool:
        """Just before its request: False if it must not go out after all (a broadcast
        cancelled since it was taken). Written through another process's lock."""
        ...

    def done(self, item: Outgoing[Source], result: Result[Any]) -> None:
        """Record how one message ended (nothing to do is fine)."""
        ...

    def give_back(self, items: Sequence[Outgoing[Source]]) -> None:
        """Messages taken but never sent (the bot stopped): due again after the restart."""
        ...


class Fanout(Generic[Source]):
    """Runs one job's fan-out; ``outcomes`` counts every item's end since the start."""

    def __init__(self, services: Services, job: Fanned[Source]) -> None:
        self.services = services
        self.job = job
        self.outcomes: Counter[Outcome] = Counter()
        #: Writes a blocked chat even while another process holds the write lock.
        self.patience = Patience()

    async def run(self, bot: ExtBot[Any], running: Callable[[], bool]) -> Counter[Outcome]:
        """Send everything due now; return how this run's items ended."""
        services, job = self.services, self.job
        limiter = getattr(bot, "rate_limiter", None)
        paced = limiter if isinstance(limiter, PriorityRateLimiter) else None
        queue: deque[Outgoing[Source]] = deque()
        counts: Counter[Outcome] = Counter()
        exhausted = False

        def next_item() -> Outgoing[Source] | None:
            # No await in here: two workers never take the same item.
            nonlocal exhausted
            if not queue and not exhausted:
                try:
                    queue.extend(job.take(BATCH))
                except Exception as error:
                    if not is_busy(error):
                        raise
                    # Another process writes: this run ends, the next tick goes on.
                    logger.debug("%s: the database is busy; the next run goes on", job.name)
                exhausted = not queue
            return queue.popleft() if queue else None

        async def handle(item: Outgoing[Source]) -> None:
            chat_id = item.chat_id
            if not await self.patience.write(lambda: job.claim(item)):
                return

            async def request(attempt: int) -> Any:
                first_slot_taken = paced is not None and attempt == 1
                rate = BULK_PREPACED if first_slot_taken else BULK
                if item.copy_of is not None:
                    from_chat, message_id = item.copy_of
                    return await bot.copy_message(
                        chat_id, from_chat, message_id, rate_limit_args=rate
                    )
                return await bot.send_message(
                    chat_id, item.text, reply_markup=item.keyboard, rate_limit_args=rate
                )

            try:
                result: Result[Any] = await send_with_retries(
                    request, backoff=services.settings.send_backoff
                )
            except Exception:
                # A bug with one chat's message (not a Bot API answer): logged with its
                # traceback once, counted as failed; the others go on.
                logger.exception("%s to chat %s failed", job.name, chat_id)
                result = Result(Outcome.FAILED)
            if result.outcome is Outcome.GONE:
                clock = services.clock
                await self.patience.write(
                    lambda: services.store.set_blocked(chat_id, True, clock())
                )
            elif result.outcome is not Outcome.SENT and result.error is not None:
                logger.warning("%s to chat %s failed: %s", job.name, chat_id, result.error)
            counts[result.outcome] += 1
            await self.patience.write(lambda: job.done(item, result))

        unhandled = await run_pool(
            next_item,
            handle,
            workers=services.settings.max_in_flight,
            running=running,
            acquire=None if paced is None else paced.acquire_bulk,
        )
        left = [*unhandled, *queue]
        if left:
            job.give_back(left)
        self.outcomes.update(counts)
        return counts
