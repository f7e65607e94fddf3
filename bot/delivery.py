"""The daily tip: one periodic job takes due tips from storage in batches and sends them.

The dispatcher claims a batch (earliest due first) in one transaction, then a fixed pool of
workers sends it: at most ``max_in_flight`` requests at once, each paced by the bot's rate
limiter at bulk priority, so replies to users go first. A slow or failing chat holds one
worker, never the others. On shutdown, workers stop taking claims and wait for no slot:
what was not sent is released and stays due.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable
from datetime import datetime
from typing import Any

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot import api_errors, render
from bot.context import BotContext, Services
from bot.ratelimit import BULK, BULK_PREPACED, PriorityRateLimiter
from storage import Claim

logger = logging.getLogger(__name__)

JOB_NAME = "daily-tips"
#: Subscribers claimed per transaction.
BATCH_SIZE = 200
#: Tries per message for timeouts, network errors and 5xx, with backoff between them.
SEND_TRIES = 3


class Dispatcher:
    """Sends every due tip; its ``tick`` is the JobQueue callback."""

    def __init__(self, services: Services, *, batch_size: int = BATCH_SIZE) -> None:
        self.services = services
        self.max_in_flight = services.settings.max_in_flight
        self.batch_size = batch_size
        self._lock = asyncio.Lock()
        #: When ``tick`` last started (the services' clock); None before the first run.
        self.last_run: datetime | None = None

    @property
    def busy(self) -> bool:
        """Whether a run is sending right now."""
        return self._lock.locked()

    async def tick(self, context: BotContext) -> None:
        """Claim and send due tips until none is due or the bot stops."""
        self.last_run = self.services.clock()  # for the webhook's /healthz
        if self._lock.locked():
            return  # the previous run is still draining a backlog
        async with self._lock:
            running = lambda: context.application.running  # noqa: E731
            await self._drain(context.bot, deque(), running, refill=True)

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
    ) -> None:
        """Send ``pending`` with ``max_in_flight`` workers, claiming more as it runs low.

        The workers share one queue, so a slow chat holds its worker only: the others go
        on, and new batches are claimed while it waits.
        """
        store, clock = self.services.store, self.services.clock
        limiter = getattr(bot, "rate_limiter", None)
        paced = limiter if isinstance(limiter, PriorityRateLimiter) else None
        stopping = asyncio.Event()
        exhausted = not refill

        def next_claim() -> Claim | None:
            # No await in here: workers never claim the same batch twice.
            nonlocal exhausted
            while not pending and not exhausted and running():
                now = clock()
                pending.extend(store.claim_due(now, self.batch_size))
                # An empty batch may only have held days missed during an outage.
                exhausted = not pending and not store.has_due(now)
            return pending.popleft() if pending else None

        async def watch() -> None:
            while running():
                await asyncio.sleep(0.1)
            stopping.set()

        async def worker() -> None:
            while not stopping.is_set() and (claim := next_claim()) is not None:
                if paced is not None and not await _first(paced.acquire_bulk(), stopping):
                    pending.appendleft(claim)
                    return
                await self._send_one(bot, claim, prepaced=paced is not None)

        watcher = asyncio.create_task(watch())
        try:
            await asyncio.gather(*(worker() for _ in range(self.max_in_flight)))
        finally:
            watcher.cancel()
            if pending:
                released = store.release(pending, clock())
                logger.info("stopping: %d claimed tips released, still due", released)

    async def _send_one(self, bot: ExtBot[Any], claim: Claim, *, prepaced: bool) -> None:
        services = self.services
        store, clock = services.store, services.clock
        reply = render.daily_tip(
            services.content_for(claim.language), claim.pick, checkin_prompt=claim.checkin_prompt
        )
        if not store.mark_sending(claim, clock()):
            logger.info("tip to chat %s dropped: its data was deleted", claim.chat_id)
            return None
        rate_limit_args: Any = BULK_PREPACED if prepaced else None
        for attempt in range(1, SEND_TRIES + 1):
            try:
                message = await bot.send_message(
                    claim.chat_id,
                    reply.text,
                    reply_markup=reply.keyboard,
                    read_timeout=services.settings.send_timeout,
                    allow_paid_broadcast=services.settings.paid_broadcast or None,
                    rate_limit_args=rate_limit_args,
                )
            except Forbidden as error:
                return self._gone(claim, error)
            except BadRequest as error:
                if api_errors.chat_gone(error):
                    return self._gone(claim, error)
                logger.error("tip to chat %s refused: %s", claim.chat_id, error.message)
                store.mark_failed(claim, clock(), retry=False)
                return None
            except (NetworkError, RetryAfter) as error:  # timeouts, 5xx, resets, repeated 429
                if attempt == SEND_TRIES:
                    retry = store.mark_failed(claim, clock())
                    logger.warning(
                        "tip to chat %s failed %d times (%s); next try %s",
                        claim.chat_id,
                        attempt,
                        error,
                        retry or "tomorrow",
                    )
                    return None
                await asyncio.sleep(services.settings.send_backoff * 2 ** (attempt - 1))
                rate_limit_args = None if rate_limit_args is None else BULK
            except TelegramError as error:
                logger.error("tip to chat %s failed: %s", claim.chat_id, error)
                store.mark_failed(claim, clock())
                return None
            else:
                store.mark_sent(claim, message.message_id, clock())
                return None
        return None

    def _gone(self, claim: Claim, error: TelegramError) -> None:
        """The user blocked the bot or the chat no longer exists: stop sending to it."""
        store, now = self.services.store, self.services.clock()
        logger.info("chat %s is unreachable (%s); marked blocked", claim.chat_id, error.message)
        store.set_blocked(claim.chat_id, True, now)
        store.mark_failed(claim, now, retry=False)


async def _first(wanted: Any, stopping: asyncio.Event) -> bool:
    """Await ``wanted`` unless ``stopping`` is set first (then cancel it); True if it finished."""
    task = asyncio.ensure_future(wanted)
    stop = asyncio.create_task(stopping.wait())
    try:
        done, _ = await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        # Also when the worker itself is cancelled: leave no waiter behind to take a slot.
        stop.cancel()
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    return task in done and not task.cancelled()
