"""Pacing for every Bot API request: one overall rate, replies first, each chat at its own
pace, and 429s obeyed.

python-telegram-bot's AIORateLimiter serves requests first come, first served: during a
long fan-out a user's reply would wait behind thousands of tips. This limiter hands out
send slots at a steady rate by priority, so a reply takes the next free slot ahead of any
queued tip, yet the daily fan-out keeps at least one slot in ``BULK_EVERY`` while replies
wait, so a flood of replies cannot starve it. Replies to one chat are held to about one a
second sustained (Telegram's per-chat limit; a burst of ``CHAT_BURST`` is fine), so the bot
never provokes a per-chat 429. A 429 for one chat pauses that chat only; a second chat's
429 while the first is paused means the bot as a whole is limited, and pauses everything.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
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
#: While replies and bulk both wait, every BULK_EVERY-th slot goes to bulk (bulk keeps at
#: least a quarter of the rate).
BULK_EVERY = 4
#: Replies to one private chat: CHAT_RATE a second sustained, bursts of CHAT_BURST.
CHAT_RATE = 1.0
CHAT_BURST = 3
#: Groups get a third of a private chat's rate (Telegram: 20 messages a minute).
GROUP_SHARE = 1 / 3
#: Above this many chats remembered, the ones whose bucket has refilled are forgotten.
CHAT_MEMORY = 10_000


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

    def __init__(
        self,
        rate: float,
        *,
        chat_rate: float = CHAT_RATE,
        max_retries: int = 3,
        clock: Clock | None = None,
    ) -> None:
        """Pace at ``rate`` messages per second in all, and replies to one chat at
        ``chat_rate`` (0: no pacing of that kind; 429s are obeyed either way).

        Args:
            rate: overall messages per second.
            chat_rate: replies per second to one private chat, sustained.
            max_retries: how often one request is retried after a 429.
            clock: where time comes from (the event loop's by default; tests pass a fake).
        """
        if rate < 0 or chat_rate < 0:
            raise ValueError("rate must be >= 0")
        self.chat_rate = chat_rate
        self.clock: Clock = clock or LoopClock()
        self.interval = 1 / rate if rate else 0.0
        self.max_retries = max_retries
        self._replies: deque[asyncio.Future[None]] = deque()
        self._bulk: deque[asyncio.Future[None]] = deque()
        self._replies_since_bulk = 0
        self._wake = asyncio.Event()
        self._next_slot = 0.0
        self._paused_until = 0.0
        #: Per chat: tokens left and when they were counted (replies only).
        self._buckets: dict[int, tuple[float, float]] = {}
        #: Per chat: until when Telegram asked us to wait (a 429 for that chat).
        self._chat_paused: dict[int, float] = {}
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
        """Wait for the chat's turn and a slot (message-sending requests only), then send;
        on 429 pause (that chat, or everything) and retry."""
        paced = endpoint.lower() in SENDING_METHODS
        bulk = rate_limit_args is not None
        chat = _chat_id(data) if paced else None
        for attempt in range(self.max_retries + 1):
            if chat is not None:
                await self._chat_turn(chat, reply=not bulk)
            if rate_limit_args == BULK_PREPACED and attempt == 0:
                pass  # the caller already waited for this slot with acquire_bulk()
            elif paced:
                await self._slot(bulk=bulk)
            else:
                await self._unpaused()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                self.retry_after_count += 1
                delay = error.retry_after
                seconds = delay if isinstance(delay, int | float) else delay.total_seconds()
                self._refused(chat, seconds)
                if attempt == self.max_retries:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def acquire_bulk(self) -> None:
        """Wait for a bulk slot; cancelling the wait gives the slot up (nothing was sent)."""
        await self._slot(bulk=True)

    def _refused(self, chat: int | None, seconds: float) -> None:
        """A 429: pause that chat; everything if the chat is unknown, or another chat is
        paused already (then the limit is the bot's, not one chat's)."""
        now = self.clock.now()
        self._chat_paused = {c: until for c, until in self._chat_paused.items() if until > now}
        others = any(other != chat for other in self._chat_paused)
        if chat is None or others:
            self._paused_until = max(self._paused_until, now + seconds)
            self._wake.set()
            logger.warning("Telegram asked to wait %.1f s (429); all sending paused", seconds)
            return
        self._chat_paused[chat] = max(self._chat_paused.get(chat, 0.0), now + seconds)
        logger.warning(
            "Telegram asked to wait %.1f s (429) for one chat; that chat paused", seconds
        )

    async def _chat_turn(self, chat: int, *, reply: bool) -> None:
        """Wait while the chat is paused by a 429, and (for replies) for its bucket."""
        while (wait := self._chat_paused.get(chat, 0.0) - self.clock.now()) > 0:
            await self.clock.sleep(wait)
        self._chat_paused.pop(chat, None)
        if not reply or not self.chat_rate:
            return  # one tip a day: the fan-out spends none of the chat's replies
        rate = self.chat_rate * (GROUP_SHARE if chat < 0 else 1)
        while True:
            now = self.clock.now()
            tokens, counted = self._buckets.get(chat, (float(CHAT_BURST), now))
            tokens = min(float(CHAT_BURST), tokens + (now - counted) * rate)
            if tokens >= 1:
                self._buckets[chat] = (tokens - 1, now)
                self._forget_idle_chats(now)
                return
            self._buckets[chat] = (tokens, now)
            await self.clock.sleep((1 - tokens) / rate)

    def _forget_idle_chats(self, now: float) -> None:
        """Keep memory bounded: past CHAT_MEMORY chats, drop those whose bucket is full
        again (they are as if never seen)."""
        if len(self._buckets) <= CHAT_MEMORY:
            return
        full_after = CHAT_BURST / (self.chat_rate * GROUP_SHARE)  # the slowest refill
        self._buckets = {
            chat: (tokens, counted)
            for chat, (tokens, counted) in self._buckets.items()
            if now - counted < full_after
        }

    async def _unpaused(self) -> None:
        while (wait := self._paused_until - self.clock.now()) > 0:
            await self.clock.sleep(wait)

    async def _slot(self, *, bulk: bool) -> None:
        if not self.interval and not self._paused_until:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        (self._bulk if bulk else self._replies).append(future)
        self._wake.set()
        await future

    def _next_waiter(self) -> asyncio.Future[None] | None:
        """Replies first, but every BULK_EVERY-th slot to bulk while both wait."""
        for queue in (self._replies, self._bulk):
            while queue and queue[0].done():  # a request cancelled while waiting
                queue.popleft()
        if self._bulk and (not self._replies or self._replies_since_bulk >= BULK_EVERY - 1):
            self._replies_since_bulk = 0
            return self._bulk.popleft()
        if self._replies:
            self._replies_since_bulk += 1
            return self._replies.popleft()
        return None

    async def _grant(self) -> None:
        while True:
            while not (self._replies or self._bulk):
                self._wake.clear()
                await self._wake.wait()
            now = self.clock.now()
            start = max(self._next_slot, self._paused_until)
            if now < start:
                # Sleep until the slot, but wake early if a pause starts (the next
                # waiter is chosen only when the slot is due).
                self._wake.clear()
                await self._sleep_or_wake(start - now)
                continue
            future = self._next_waiter()
            if future is None:
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


def _chat_id(data: dict[str, Any]) -> int | None:
    """The chat a request goes to, if it names one by number."""
    chat = data.get("chat_id")
    if isinstance(chat, int):
        return chat
    if isinstance(chat, str) and chat.lstrip("-").isdigit():
        return int(chat)
    return None
