"""Pacing for every Bot API request: one overall rate, replies first, and 429s obeyed.

python-telegram-bot's AIORateLimiter serves requests first come, first served: during a
long fan-out a user's reply would wait behind thousands of tips. This limiter hands out
send slots at a steady rate by priority, so a reply takes the next free slot ahead of any
queued tip, and a 429 pauses everything for its ``retry_after`` and retries the request.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

logger = logging.getLogger(__name__)

#: Pass as ``rate_limit_args`` to mark a request as bulk (lowest priority).
BULK = "bulk"
#: Bulk, and its first slot was already taken with ``acquire_bulk``.
BULK_PREPACED = "bulk-prepaced"
Result = bool | dict[str, Any] | list[dict[str, Any]]
#: Requests that put a message in a chat, and so count against Telegram's sending limits.
SENDING_METHODS = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "senddocument",
        "sendmediagroup",
        "copymessage",
        "forwardmessage",
        "editmessagetext",
        "editmessagemedia",
        "editmessagecaption",
    }
)
_INTERACTIVE, _BULK = 0, 1


class Clock(Protocol):
    """The limiter's sense of time: seconds on a monotonic clock, and waiting on it."""

    def now(self) -> float:
        """The current time in seconds."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Return after ``seconds``."""
        ...


class LoopClock:
    """The event loop's clock: what the bot runs on."""

    def now(self) -> float:
        """The loop's monotonic time."""
        return asyncio.get_running_loop().time()

    async def sleep(self, seconds: float) -> None:
        """``asyncio.sleep``."""
        await asyncio.sleep(seconds)


class PriorityRateLimiter(BaseRateLimiter[str]):
    """Grants message-sending requests at most ``rate`` per second, replies before bulk."""

    def __init__(self, rate: float, *, max_retries: int = 3, clock: Clock | None = None) -> None:
        """Pace at ``rate`` messages per second in all (0: no pacing, 429s still obeyed).

        Args:
            rate: overall messages per second.
            max_retries: how often one request is retried after a 429.
            clock: where time comes from (the event loop's by default; tests pass a fake).
        """
        if rate < 0:
            raise ValueError("rate must be >= 0")
        self.clock: Clock = clock or LoopClock()
        self.interval = 1 / rate if rate else 0.0
        self.max_retries = max_retries
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._wake = asyncio.Event()
        self._next_slot = 0.0
        self._paused_until = 0.0
        self._granter: asyncio.Task[None] | None = None
        self.retry_after_count = 0

    async def initialize(self) -> None:
        """Start handing out slots."""
        if self._granter is None:
            self._granter = asyncio.create_task(self._grant(), name="rate-limiter")

    async def shutdown(self) -> None:
        """Stop handing out slots."""
        if self._granter is not None:
            self._granter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._granter
            self._granter = None

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: str | None,
    ) -> Result:
        """Wait for a slot (message-sending requests only), then send; on 429 pause and retry."""
        paced = endpoint.lower() in SENDING_METHODS
        priority = _INTERACTIVE if rate_limit_args is None else _BULK
        for attempt in range(self.max_retries + 1):
            if rate_limit_args == BULK_PREPACED and attempt == 0:
                pass  # the caller already waited for this slot with acquire_bulk()
            elif paced:
                await self._slot(priority)
            else:
                await self._unpaused()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                self.retry_after_count += 1
                delay = error.retry_after
                seconds = delay if isinstance(delay, int | float) else delay.total_seconds()
                self._paused_until = max(self._paused_until, self.clock.now() + seconds)
                self._wake.set()
                logger.warning("Telegram asked to wait %.1f s (429); all sending paused", seconds)
                if attempt == self.max_retries:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def acquire_bulk(self) -> None:
        """Wait for a bulk slot; cancelling the wait gives the slot up (nothing was sent)."""
        await self._slot(_BULK)

    async def _unpaused(self) -> None:
        while (wait := self._paused_until - self.clock.now()) > 0:
            await self.clock.sleep(wait)

    async def _slot(self, priority: int) -> None:
        if not self.interval and not self._paused_until:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (priority, next(self._order), future))
        self._wake.set()
        await future

    async def _grant(self) -> None:
        while True:
            while not self._waiters:
                self._wake.clear()
                await self._wake.wait()
            now = self.clock.now()
            start = max(self._next_slot, self._paused_until)
            if now < start:
                # Sleep until the slot, but wake early if a pause starts (the next
                # waiter's priority is read only when the slot is due).
                self._wake.clear()
                await self._sleep_or_wake(start - now)
                continue
            _, _, future = heapq.heappop(self._waiters)
            if future.done():  # the request was cancelled while waiting
                continue
            future.set_result(None)
            self._next_slot = now + self.interval

    async def _sleep_or_wake(self, seconds: float) -> None:
        """Return after ``seconds`` on the clock, or sooner when ``_wake`` is set."""
        sleeping = asyncio.ensure_future(self.clock.sleep(seconds))
        woken = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({sleeping, woken}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeping, woken):
                task.cancel()
            await asyncio.gather(sleeping, woken, return_exceptions=True)
