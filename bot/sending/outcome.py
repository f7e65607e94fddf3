"""What one request's end means, for every fan-out: one classifier and one retry ladder.

gone: the user blocked the bot, or the chat is gone (403, 400 "chat not found"): stop
    sending to it. refused: any other 400, which another try cannot fix. failed: a
    timeout, a dropped connection, a 5xx or a 429 that outlasted the limiter's retries,
    ``TRIES`` times in a row, or any other error.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError

from bot.sending import api_errors

#: Tries per message for timeouts, network errors, 5xx and repeated 429s.
TRIES = 3

T = TypeVar("T")


class Outcome(enum.Enum):
    """How one message ended."""

    SENT = "sent"
    GONE = "gone"
    REFUSED = "refused"
    FAILED = "failed"


def classify(error: TelegramError) -> Outcome | None:
    """The outcome an error means, or None when another try may succeed."""
    if api_errors.chat_gone(error):
        return Outcome.GONE
    if isinstance(error, BadRequest):
        return Outcome.REFUSED
    if isinstance(error, NetworkError | RetryAfter):  # TimedOut is a NetworkError
        return None
    return Outcome.FAILED


@dataclass(frozen=True)
class Result(Generic[T]):
    """One message's end: its outcome, what the request returned, or the last error."""

    outcome: Outcome
    value: T | None = None
    error: TelegramError | None = None
    tries: int = 1


async def send_with_retries(
    request: Callable[[int], Awaitable[T]],
    *,
    backoff: float,
    tries: int = TRIES,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> Result[T]:
    """Run ``request(attempt)`` until it succeeds, or its error is final, or ``tries`` are
    spent; between tries wait ``backoff``, doubling each time."""
    for attempt in range(1, tries + 1):
        try:
            return Result(Outcome.SENT, await request(attempt), tries=attempt)
        except TelegramError as error:
            outcome = classify(error)
            if outcome is None and attempt < tries:
                await sleep(backoff * 2 ** (attempt - 1))
                continue
            return Result(outcome or Outcome.FAILED, error=error, tries=attempt)
    raise AssertionError("unreachable")  # pragma: no cover
