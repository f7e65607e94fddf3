"""One fan-out for every job that sends to many chats: what the job takes, sent through the
one engine.

A job says what it takes and renders (``take``: claims up to n items in one transaction,
so each goes out at most once, even across a restart, and renders each as an
``Outgoing`` message), what to check just before each request (``claim``), what to record
when one ends (``done``), and what to do with those a stop left unsent (``give_back``); the
fan-out does the rest the same way for every job (the daily tip, put-off tips, weekly look
backs, broadcasts):

- it takes batches within one run until nothing is due (or the bot stops);
- ``max_in_flight`` workers send at once (the one stop-aware pool), each request paced by
  the bot's limiter at bulk priority, so replies to users go first;
- every request waits ``send_timeout`` for Telegram's answer, and is a paid broadcast
  when ``paid_broadcast`` is set (bulk sends share the raised send rate it comes with);
- every send goes up the one retry ladder (timeouts, 5xx and 429s again; a 400 never);
- a chat that is gone (blocked the bot, deleted) is marked blocked and the job's record of
  the message written in one transaction (both or neither);
- one chat's failure, a refusal or a bug rendering its message, never stops the others: it
  is caught, counted and logged once;
- every record is written through ``Patience`` (another process's lock costs time, never a
  record), and items taken but never sent because the bot stopped are given back
  (``give_back``).
"""

from __future__ import annotations

import logging
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from telegram import InlineKeyboardMarkup
from telegram.ext import ExtBot

from bot.sending.outcome import Outcome, Result, send_with_retries
from bot.sending.patience import Patience
from bot.sending.pool import run_pool
from bot.sending.ratelimit import BULK, BULK_PREPACED, PriorityRateLimiter
from bot.services import Services
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

    def done(self, item: Outgoing[Source], result: Result[Any]) -> str | None:
        """Record how one message ended (nothing to do is fine). For a chat that is gone it
        runs in the transaction that marks the chat blocked. Returns what comes next for a
        failed one, for the log ("next try 09:05"), or None: not tried again."""
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
        #: Writes every record (a claim, an end, a blocked chat, a give back) even while
        #: another process holds the write lock.
        self.patience = Patience()

    async def run(
        self,
        bot: ExtBot[Any],
        running: Callable[[], bool],
        items: Sequence[Outgoing[Source]] | None = None,
    ) -> Counter[Outcome]:
        """Send everything due now, or only ``items`` (then nothing is taken); return how
        this run's items ended."""
        services, job = self.services, self.job
        settings, store, clock = services.settings, services.store, services.clock
        write = self.patience.write
        limiter = getattr(bot, "rate_limiter", None)
        paced = limiter if isinstance(limiter, PriorityRateLimiter) else None
        # The same for every request of every job.
        timeout = settings.send_timeout
        paid = settings.paid_broadcast or None
        backoff = settings.send_backoff
        queue: deque[Outgoing[Source]] = deque(items or ())
        counts: Counter[Outcome] = Counter()
        exhausted = items is not None

        def next_item() -> Outgoing[Source] | None:
            # No await in here: two workers never take the same item.
            nonlocal exhausted
            if not queue and not exhausted and running():
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
            if not await write(lambda: job.claim(item)):
                return

            async def request(attempt: int) -> Any:
                # The first try's slot was taken already; a retry waits for a new one.
                # Another limiter (PTB's, in the benchmarks) gets no arguments of ours.
                rate = None if paced is None else BULK_PREPACED if attempt == 1 else BULK
                if item.copy_of is not None:
                    from_chat, message_id = item.copy_of
                    return await bot.copy_message(
                        chat_id,
                        from_chat,
                        message_id,
                        read_timeout=timeout,
                        allow_paid_broadcast=paid,
                        rate_limit_args=rate,
                    )
                return await bot.send_message(
                    chat_id,
                    item.text,
                    reply_markup=item.keyboard,
                    read_timeout=timeout,
                    allow_paid_broadcast=paid,
                    rate_limit_args=rate,
                )

            try:
                result: Result[Any] = await send_with_retries(request, backoff=backoff)
            except Exception:
                # A bug with one chat's message (not a Bot API answer): logged with its
                # traceback once, counted as failed; the others go on.
                logger.exception("%s to chat %s failed", job.name, chat_id)
                result = Result(Outcome.FAILED)
            counts[result.outcome] += 1
            outcome, error = result.outcome, result.error
            if outcome is Outcome.SENT:
                await write(lambda: job.done(item, result))
                return
            if outcome is Outcome.GONE:

                def gone() -> None:
                    # Both or neither, so a retry after a lock repeats both.
                    with store.db.atomic():
                        store.set_blocked(chat_id, True, clock())
                        job.done(item, result)

                await write(gone)
                logger.info(
                    "%s: chat %s is unreachable (%s); marked blocked", job.name, chat_id, error
                )
                return
            after = await write(lambda: job.done(item, result))
            if error is None:
                return  # logged with its traceback above
            if outcome is Outcome.REFUSED:
                logger.error("%s to chat %s refused: %s", job.name, chat_id, error.message)
            else:
                logger.warning(
                    "%s to chat %s failed %d times (%s); %s",
                    job.name,
                    chat_id,
                    result.tries,
                    error,
                    after or "not tried again",
                )

        unhandled: list[Outgoing[Source]] = []
        try:
            unhandled = await run_pool(
                next_item,
                handle,
                workers=settings.max_in_flight,
                running=running,
                acquire=None if paced is None else paced.acquire_bulk,
            )
        finally:
            # Also when a run ends on an error: what was taken and not sent stays due.
            left = [*unhandled, *queue]
            if left:
                await write(lambda: job.give_back(left))
            self.outcomes.update(counts)
        return counts
