"""Operators' broadcasts: one message copied to every active subscriber through the same
engine as the daily tip (the pool, the retry ladder, the paced limiter at bulk priority, so
replies to users still go first)."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import MessageId
from telegram.ext import ExtBot

from bot.context import Services
from bot.sending.outcome import Outcome, send_with_retries
from bot.sending.patience import Patience
from bot.sending.pool import run_pool
from bot.sending.ratelimit import BULK, BULK_PREPACED, PriorityRateLimiter
from storage import operators
from storage.operators import Broadcast, BroadcastStatus

logger = logging.getLogger(__name__)

#: Chats taken from storage per round.
BATCH = 200
#: The progress message is edited at most this often (seconds).
PROGRESS_EVERY = 2.0
#: What each outcome is recorded as.
_STATUS = {
    Outcome.SENT: BroadcastStatus.SENT,
    Outcome.GONE: BroadcastStatus.BLOCKED,
    Outcome.REFUSED: BroadcastStatus.FAILED,
    Outcome.FAILED: BroadcastStatus.FAILED,
}

Progress = Callable[[int, int], Awaitable[None]]


async def send(
    bot: ExtBot[Any],
    services: Services,
    broadcast: Broadcast,
    running: Callable[[], bool],
    progress: Progress | None = None,
) -> dict[BroadcastStatus, int] | None:
    """Copy the broadcast's message to every chat still pending.

    ``progress(done, total)`` is awaited now and then while it runs. Each copy is marked
    "sending" before its request, so a crash leaves it uncertain, never sent twice; a chat
    cancelled meanwhile is skipped.

    Returns:
        The final counts, or None if the bot is stopping: the broadcast stays unfinished,
        its pending chats untouched, and goes on after the restart.
    """
    store, clock = services.store, services.clock
    total = broadcast.recipients
    queue: list[int] = []
    last_fetched: int | None = None
    exhausted = False
    last_report = 0.0
    limiter = getattr(bot, "rate_limiter", None)
    paced = limiter if isinstance(limiter, PriorityRateLimiter) else None
    write = Patience().write  # another process's write lock costs time, never a record

    def next_chat() -> int | None:
        # No await in here: two workers never take the same chat. Paging by chat id skips
        # the chats still in flight, which are not pending in storage any more.
        nonlocal last_fetched, exhausted
        if not queue and not exhausted:
            queue.extend(operators.pending(store, broadcast.id, BATCH, after=last_fetched))
            exhausted = not queue
            if queue:
                last_fetched = queue[-1]
        return queue.pop(0) if queue else None

    async def copy(chat_id: int) -> None:
        nonlocal last_report
        if not await write(lambda: operators.claim(store, broadcast.id, chat_id, clock())):
            return  # cancelled since it was fetched

        async def request(attempt: int) -> MessageId:
            first_slot_taken = paced is not None and attempt == 1
            return await bot.copy_message(
                chat_id,
                broadcast.from_chat_id,
                broadcast.message_id,
                rate_limit_args=BULK_PREPACED if first_slot_taken else BULK,
            )

        result = await send_with_retries(request, backoff=services.settings.send_backoff)
        status = _STATUS[result.outcome]
        if result.outcome is Outcome.GONE:
            await write(lambda: store.set_blocked(chat_id, True, clock()))
        elif status is BroadcastStatus.FAILED:
            logger.warning(
                "broadcast %d to chat %s failed: %s", broadcast.id, chat_id, result.error
            )
        await write(lambda: operators.mark(store, broadcast.id, chat_id, status, clock()))
        if progress is not None and time.monotonic() - last_report >= PROGRESS_EVERY:
            last_report = time.monotonic()
            counts = operators.counts(store, broadcast.id)
            await progress(total - counts[BroadcastStatus.PENDING], total)

    await run_pool(
        next_chat,
        copy,
        workers=services.settings.max_in_flight,
        running=running,
        acquire=None if paced is None else paced.acquire_bulk,
    )
    if not running():
        logger.info(
            "broadcast %d stopped; the chats not reached get it after a restart", broadcast.id
        )
        return None
    await write(lambda: operators.finish(store, broadcast.id, clock()))
    counts = operators.counts(store, broadcast.id)
    logger.info(
        "broadcast %d finished: %d sent, %d blocked, %d failed, %d cancelled, %d uncertain",
        broadcast.id,
        counts[BroadcastStatus.SENT],
        counts[BroadcastStatus.BLOCKED],
        counts[BroadcastStatus.FAILED],
        counts[BroadcastStatus.CANCELLED],
        counts[BroadcastStatus.UNCERTAIN],
    )
    return counts
