"""Operators' broadcasts: one message copied to every active subscriber through the same
paced sender as the daily tip (bulk priority, so replies to users still go first)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot import api_errors
from bot.context import Services
from bot.ratelimit import BULK
from storage import operators
from storage.operators import Broadcast, BroadcastStatus

logger = logging.getLogger(__name__)

#: Chats taken from storage per round.
BATCH = 200
#: Tries per chat for timeouts, network errors and 5xx.
TRIES = 3
#: The progress message is edited at most this often (seconds).
PROGRESS_EVERY = 2.0

Progress = Callable[[int, int], Awaitable[None]]


async def send(
    bot: ExtBot[Any],
    services: Services,
    broadcast: Broadcast,
    progress: Progress | None = None,
) -> dict[BroadcastStatus, int]:
    """Copy the broadcast's message to every chat still pending; return the final counts.

    ``progress(done, total)`` is awaited now and then while it runs. Safe to call again after
    a stop: chats already handled are not sent to twice.
    """
    store, clock = services.store, services.clock
    total = broadcast.recipients
    queue: list[int] = []
    last_fetched: int | None = None
    exhausted = False
    last_report = 0.0

    def next_chat() -> int | None:
        # No await in here: two workers never take the same chat. Paging by chat id skips
        # the chats still in flight, which are pending in storage until marked.
        nonlocal last_fetched, exhausted
        if not queue and not exhausted:
            queue.extend(operators.pending(store, broadcast.id, BATCH, after=last_fetched))
            exhausted = not queue
            if queue:
                last_fetched = queue[-1]
        return queue.pop(0) if queue else None

    async def worker() -> None:
        nonlocal last_report
        while (chat_id := next_chat()) is not None:
            status = await _copy(bot, broadcast, chat_id)
            if status is BroadcastStatus.BLOCKED:
                store.set_blocked(chat_id, True, clock())
            operators.mark(store, broadcast.id, chat_id, status, clock())
            if progress is not None and time.monotonic() - last_report >= PROGRESS_EVERY:
                last_report = time.monotonic()
                counts = operators.counts(store, broadcast.id)
                await progress(total - counts[BroadcastStatus.PENDING], total)

    await asyncio.gather(*(worker() for _ in range(services.settings.max_in_flight)))
    operators.finish(store, broadcast.id, clock())
    counts = operators.counts(store, broadcast.id)
    logger.info(
        "broadcast %d finished: %d sent, %d blocked, %d failed",
        broadcast.id,
        counts[BroadcastStatus.SENT],
        counts[BroadcastStatus.BLOCKED],
        counts[BroadcastStatus.FAILED],
    )
    return counts


async def _copy(bot: ExtBot[Any], broadcast: Broadcast, chat_id: int) -> BroadcastStatus:
    """Copy the message to one chat, retrying what another try can fix."""
    for attempt in range(1, TRIES + 1):
        try:
            await bot.copy_message(
                chat_id,
                broadcast.from_chat_id,
                broadcast.message_id,
                rate_limit_args=BULK,
            )
            return BroadcastStatus.SENT
        except Forbidden:
            return BroadcastStatus.BLOCKED
        except BadRequest as error:
            if api_errors.chat_gone(error):
                return BroadcastStatus.BLOCKED
            logger.warning("broadcast %d to chat %s refused: %s", broadcast.id, chat_id, error)
            return BroadcastStatus.FAILED
        except (NetworkError, RetryAfter) as error:
            if attempt == TRIES:
                logger.warning("broadcast %d to chat %s failed: %s", broadcast.id, chat_id, error)
                return BroadcastStatus.FAILED
            await asyncio.sleep(0.5 * 2 ** (attempt - 1))
        except TelegramError as error:
            logger.warning("broadcast %d to chat %s failed: %s", broadcast.id, chat_id, error)
            return BroadcastStatus.FAILED
    return BroadcastStatus.FAILED
