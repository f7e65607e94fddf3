"""Updates from different chats are handled at once; each chat's own stay in order.

python-telegram-bot handles updates one at a time by default, so behind 100 /tip from one
user another user's /help waited seconds. ``PerChatProcessor`` runs the updates of
different chats concurrently, one chat's updates strictly in arrival order, and keeps each
chat's queue short: past ``MAX_WAITING`` waiting updates a chat is flooding, its excess
updates are dropped (button presses still answered) and it is told once to slow down. The
replies themselves are paced per chat by the rate limiter (sending/ratelimit.py), so a
flood costs the flooding chat only.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

logger = logging.getLogger(__name__)

#: Updates of one chat that may wait behind the one being handled; more are dropped.
MAX_WAITING = 3
#: Updates handled at the same time, over all chats.
MAX_RUNNING = 32
#: PTB's own bound is set out of the way: a chat waiting its turn must not hold a slot
#: another chat could use, so the bound that counts (MAX_RUNNING) is taken after the turn.
_UNBOUNDED = 1_000_000

#: Told about a dropped update: the update, and whether it is the first of this flood.
OnDropped = Callable[[Update, bool], Awaitable[None]]


@dataclass
class _Chat:
    """One chat's turn: a FIFO lock, and how many updates hold or wait for it."""

    turn: asyncio.Lock = field(default_factory=asyncio.Lock)
    queued: int = 0
    told: bool = False


class PerChatProcessor(BaseUpdateProcessor):
    """Concurrent across chats, in order within one, with a short queue per chat."""

    def __init__(
        self,
        *,
        max_running: int = MAX_RUNNING,
        max_waiting: int = MAX_WAITING,
        on_dropped: OnDropped | None = None,
    ) -> None:
        super().__init__(_UNBOUNDED)
        self.max_waiting = max_waiting
        self.on_dropped = on_dropped
        self._running = asyncio.Semaphore(max_running)
        self._chats: dict[int, _Chat] = {}
        self.dropped = 0
        #: Told how long each update took once its turn came (seconds; /metrics).
        self.on_handled: Callable[[float], None] | None = None

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free: the Application waits for the updates in progress."""

    @property
    def chats_waiting(self) -> int:
        """How many chats have an update in progress or waiting (for tests and metrics)."""
        return len(self._chats)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the chat's turn (no slot held meanwhile), then a slot, then handle."""
        key = _chat_of(update)
        if key is None:
            async with self._running:
                await self._timed(coroutine)
            return
        chat = self._chats.setdefault(key, _Chat())
        if chat.queued > self.max_waiting:
            await self._drop(update, coroutine, chat)
            return
        chat.queued += 1
        try:
            async with chat.turn, self._running:
                await self._timed(coroutine)
        finally:
            chat.queued -= 1
            if chat.queued == 0:
                del self._chats[key]  # the flood is over: a next one is told again

    async def _timed(self, coroutine: Awaitable[Any]) -> None:
        started = time.perf_counter()
        try:
            await coroutine
        finally:
            if self.on_handled is not None:
                self.on_handled(time.perf_counter() - started)

    async def _drop(self, update: object, coroutine: Awaitable[Any], chat: _Chat) -> None:
        if hasattr(coroutine, "close"):
            coroutine.close()  # never run; closing it avoids "was never awaited"
        self.dropped += 1
        first, chat.told = not chat.told, True
        if first:
            logger.warning(
                "a chat floods: its updates beyond %d waiting are dropped", self.max_waiting
            )
        if self.on_dropped is not None and isinstance(update, Update):
            try:
                await self.on_dropped(update, first)
            except Exception:  # telling it is a courtesy; never let it fail the loop
                logger.warning("could not tell a flooding chat to slow down", exc_info=True)


def _chat_of(update: object) -> int | None:
    """The chat whose order an update keeps: its chat, else its user (inline queries)."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None
