"""The daily tip: one periodic job takes due tips from storage in batches and sends them.

The dispatcher claims a batch (earliest due first) in one transaction, then a fixed pool of
workers sends it: at most ``max_in_flight`` requests at once, each paced by the bot's rate
limiter at bulk priority, so replies to users go first. A slow or failing chat holds one
worker, never the others. On shutdown, workers stop taking claims and wait for no slot:
what was not sent is released and stays due.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter, deque
from collections.abc import Callable
from datetime import datetime
from typing import Any

from telegram import Message
from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot import render
from bot.context import BotContext, Services
from bot.sending.outcome import Outcome, send_with_retries
from bot.sending.patience import Patience
from bot.sending.pool import run_pool
from bot.sending.ratelimit import BULK, BULK_PREPACED, PriorityRateLimiter
from storage import Claim, is_busy

logger = logging.getLogger(__name__)

JOB_NAME = "daily-tips"
#: How each outcome is counted in /metrics.
_OUTCOME_NAMES = {
    Outcome.SENT: "sent",
    Outcome.GONE: "blocked",
    Outcome.REFUSED: "refused",
    Outcome.FAILED: "failed",
}
#: Subscribers claimed per transaction.
BATCH_SIZE = 200


class Dispatcher:
    """Sends every due tip; its ``tick`` is the JobQueue callback."""

    def __init__(self, services: Services, *, batch_size: int = BATCH_SIZE) -> None:
        self.services = services
        self.max_in_flight = services.settings.max_in_flight
        self.batch_size = batch_size
        self._lock = asyncio.Lock()
        #: Writes the outcome of a send even while another process holds the write lock.
        self.patience = Patience()
        #: Tips sent, blocked, refused and failed since the start (for /metrics).
        self.outcomes: Counter[str] = Counter({name: 0 for name in _OUTCOME_NAMES.values()})
        #: When a run last finished, or last claimed a batch while draining a backlog (the
        #: services' clock); None before the first. /healthz reads it: a run that starts
        #: and then fails never stamps it.
        self.last_progress: datetime | None = None

    @property
    def busy(self) -> bool:
        """Whether a run is sending right now."""
        return self._lock.locked()

    async def tick(self, context: BotContext) -> None:
        """Claim and send due tips until none is due or the bot stops.

        Another process holding the database's write lock costs this run only: it ends,
        and the next tick tries again (nothing claimed is lost: see ``_drain``).
        """
        if self._lock.locked():
            return  # the previous run is still draining a backlog
        async with self._lock:
            running = lambda: context.application.running  # noqa: E731
            if await self._drain(context.bot, deque(), running, refill=True):
                self.last_progress = self.services.clock()

    async def send(
        self, bot: ExtBot[Any], claims: list[Claim], running: Callable[[], bool]
    ) -> None:
        """Send these ``claims`` only (no new claims), releasing the unsent on shutdown."""
        await self._drain(bot, deque(claims), running, refill=False)

    async def _drain(
        self,
        bot: ExtBot[Any],
        pending: deque[Claim],
        running: Callable[[], bool],
        *,
        refill: bool,
    ) -> bool:
        """Send ``pending`` with ``max_in_flight`` workers, claiming more as it runs low.

        The workers share one queue, so a slow chat holds its worker only: the others go
        on, and new batches are claimed while it waits. A claim that meets another
        process's write lock ends the claiming: what was claimed is sent, the rest waits
        for the next tick.

        Returns:
            False if claiming stopped because the database was locked.
        """
        store, clock = self.services.store, self.services.clock
        limiter = getattr(bot, "rate_limiter", None)
        paced = limiter if isinstance(limiter, PriorityRateLimiter) else None
        exhausted = not refill
        locked = False

        def next_claim() -> Claim | None:
            # No await in here: workers never claim the same batch twice.
            nonlocal exhausted, locked
            while not pending and not exhausted and running():
                now = clock()
                try:
                    pending.extend(store.claim_due(now, self.batch_size))
                except Exception as error:
                    if not is_busy(error):
                        raise
                    logger.warning("daily tips: the database is locked; next tick")
                    exhausted = locked = True
                    break
                self.last_progress = now
                # An empty batch may only have held days missed during an outage.
                exhausted = not pending and not store.has_due(now)
            return pending.popleft() if pending else None

        async def send(claim: Claim) -> None:
            await self._send_one(bot, claim, prepaced=paced is not None)

        unsent: list[Claim] = []
        try:
            unsent = await run_pool(
                next_claim,
                send,
                workers=self.max_in_flight,
                running=running,
                acquire=None if paced is None else paced.acquire_bulk,
            )
        finally:
            unsent.extend(pending)
            if unsent:
                released = await self.patience.write(lambda: store.release(unsent, clock()))
                logger.info("stopping: %d claimed tips released, still due", released)
        return not locked

    async def _send_one(self, bot: ExtBot[Any], claim: Claim, *, prepaced: bool) -> None:
        services = self.services
        store, clock = services.store, services.clock
        reply = render.daily_tip(
            services.content_for(claim.language),
            claim.pick,
            checkin_prompt=claim.checkin_prompt,
            day=claim.day,
        )
        if not await self.patience.write(lambda: store.mark_sending(claim, clock())):
            logger.info("tip to chat %s dropped: its data was deleted", claim.chat_id)
            return

        async def request(attempt: int) -> Message:
            # The first try's slot was taken already; a retry waits for a new one. Another
            # limiter (PTB's, in the benchmarks) gets no arguments of ours.
            prepaced_args = BULK_PREPACED if attempt == 1 else BULK
            return await bot.send_message(
                claim.chat_id,
                reply.text,
                reply_markup=reply.keyboard,
                read_timeout=services.settings.send_timeout,
                allow_paid_broadcast=services.settings.paid_broadcast or None,
                rate_limit_args=prepaced_args if prepaced else None,
            )

        result = await send_with_retries(request, backoff=services.settings.send_backoff)
        self.outcomes[_OUTCOME_NAMES[result.outcome]] += 1
        write = self.patience.write
        if result.outcome is Outcome.SENT:
            sent = result.value
            assert sent is not None
            await write(lambda: store.mark_sent(claim, sent.message_id, clock()))
        elif result.outcome is Outcome.GONE:
            gone = result.error
            assert gone is not None
            await write(lambda: self._gone(claim, gone))
        elif result.outcome is Outcome.REFUSED:
            assert result.error is not None
            logger.error("tip to chat %s refused: %s", claim.chat_id, result.error.message)
            await write(lambda: store.mark_failed(claim, clock(), retry=False))
        else:
            retry = await write(lambda: store.mark_failed(claim, clock()))
            logger.warning(
                "tip to chat %s failed %d times (%s); next try %s",
                claim.chat_id,
                result.tries,
                result.error,
                retry or "tomorrow",
            )

    def _gone(self, claim: Claim, error: TelegramError) -> None:
        """The user blocked the bot or the chat no longer exists: stop sending to it."""
        store, now = self.services.store, self.services.clock()
        with store.db.atomic():  # both or neither, so a retry after a lock repeats both
            store.set_blocked(claim.chat_id, True, now)
            store.mark_blocked(claim, now)
        logger.info("chat %s is unreachable (%s); marked blocked", claim.chat_id, error.message)
