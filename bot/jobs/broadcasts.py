"""Operators' broadcasts: one message copied to every active subscriber through the one
fan-out (the pool, the retry ladder, the paced limiter at bulk priority, so replies to
users still go first; a gone chat marked blocked; one chat's failure its own)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from telegram.ext import ExtBot

from bot.jobs.base import SendingJob
from bot.sending.fanout import Outgoing
from bot.sending.outcome import Outcome, Result
from bot.sending.patience import Patience
from bot.services import Services
from storage import Broadcast, BroadcastStatus

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


class _Copies(SendingJob[int]):
    """One broadcast's copies, through the one fan-out: pending chats taken a page at a time
    (by chat id, so chats still in flight are never taken twice), each claimed ("sending")
    just before its request, so a crash leaves at most the requests in flight uncertain and
    a chat cancelled meanwhile is skipped."""

    def __init__(self, services: Services, broadcast: Broadcast) -> None:
        super().__init__(services)
        self.broadcast = broadcast
        self.name = f"broadcast {broadcast.id}"
        self.last_fetched: int | None = None

    def take(self, limit: int) -> list[Outgoing[int]]:
        broadcast = self.broadcast
        chats = self.services.store.broadcast_pending(
            broadcast.id, min(limit, BATCH), after=self.last_fetched
        )
        if chats:
            self.last_fetched = chats[-1]
        copy_of = (broadcast.from_chat_id, broadcast.message_id)
        return [Outgoing(chat, "", None, chat, copy_of=copy_of) for chat in chats]

    def claim(self, item: Outgoing[int]) -> bool:
        store, clock = self.services.store, self.services.clock
        return store.claim_copy(self.broadcast.id, item.chat_id, clock())

    def done(self, item: Outgoing[int], result: Result[Any]) -> None:
        store, clock = self.services.store, self.services.clock
        status = _STATUS[result.outcome]
        store.mark_copy(self.broadcast.id, item.chat_id, status, clock())

    def give_back(self, items: Sequence[Outgoing[int]]) -> None:
        pass  # claimed only just before their request: still pending, nothing to undo


async def send(
    bot: ExtBot[Any],
    services: Services,
    broadcast: Broadcast,
    running: Callable[[], bool],
    progress: Progress | None = None,
) -> dict[BroadcastStatus, int] | None:
    """Copy the broadcast's message to every chat still pending, through the one fan-out.

    ``progress(done, total)`` is awaited every ``PROGRESS_EVERY`` seconds while it runs.

    Returns:
        The final counts, or None if the bot is stopping: the broadcast stays unfinished,
        its pending chats untouched, and goes on after the restart.
    """
    store, clock = services.store, services.clock
    total = broadcast.recipients
    write = Patience().write  # another process's write lock costs time, never a record

    async def report() -> None:
        assert progress is not None
        while True:
            await asyncio.sleep(PROGRESS_EVERY)
            counts = store.broadcast_counts(broadcast.id)
            await progress(total - counts[BroadcastStatus.PENDING], total)

    reporter = asyncio.create_task(report()) if progress is not None else None
    try:
        await _Copies(services, broadcast).run(bot, running)
    finally:
        if reporter is not None:
            reporter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reporter
    if not running():
        logger.info(
            "broadcast %d stopped; the chats not reached get it after a restart", broadcast.id
        )
        return None
    await write(lambda: store.finish_broadcast(broadcast.id, clock()))
    counts = store.broadcast_counts(broadcast.id)
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
