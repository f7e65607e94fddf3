"""The one classifier and retry ladder of every fan-out (bot/sending/outcome.py), with
Telegram's own error classes and no network."""

from __future__ import annotations

from datetime import timedelta

import pytest
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.sending.outcome import TRIES, Outcome, Result, classify, send_with_retries


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        pytest.param(Forbidden("Forbidden: bot was blocked by the user"), Outcome.GONE, id="403"),
        pytest.param(Forbidden("Forbidden: user is deactivated"), Outcome.GONE, id="403-gone"),
        pytest.param(BadRequest("Bad Request: chat not found"), Outcome.GONE, id="chat-not-found"),
        pytest.param(BadRequest("Chat not found"), Outcome.GONE, id="chat-not-found-any-case"),
        pytest.param(BadRequest("Bad Request: message is too long"), Outcome.REFUSED, id="400"),
        pytest.param(
            BadRequest("Bad Request: wrong file identifier"), Outcome.REFUSED, id="400-file"
        ),
        pytest.param(TimedOut(), None, id="timeout"),
        pytest.param(NetworkError("Connection reset by peer"), None, id="reset"),
        pytest.param(NetworkError("Bad Gateway"), None, id="5xx"),
        pytest.param(RetryAfter(timedelta(seconds=3)), None, id="429"),
        pytest.param(ChatMigrated(-100123), Outcome.FAILED, id="migrated"),
        pytest.param(Conflict("terminated by other getUpdates"), Outcome.FAILED, id="409"),
        pytest.param(InvalidToken(), Outcome.FAILED, id="401"),
        pytest.param(EndPointNotFound("Not Found"), Outcome.FAILED, id="404"),
        pytest.param(TelegramError("something else"), Outcome.FAILED, id="other"),
    ],
)
def test_each_telegram_error_has_one_outcome(error: TelegramError, outcome: Outcome | None) -> None:
    """gone, refused, failed, or None: another try may succeed."""
    assert classify(error) is outcome


class Requests:
    """A request that raises the given errors in turn, then returns its attempt number."""

    def __init__(self, *errors: TelegramError) -> None:
        self.errors = list(errors)
        self.attempts: list[int] = []
        self.pauses: list[float] = []

    async def __call__(self, attempt: int) -> int:
        self.attempts.append(attempt)
        if self.errors:
            raise self.errors.pop(0)
        return attempt

    async def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)


async def test_a_success_is_sent_at_once() -> None:
    request = Requests()
    result = await send_with_retries(request, backoff=0.5, sleep=request.sleep)
    assert result == Result(Outcome.SENT, 1, tries=1)
    assert request.pauses == []


async def test_errors_that_may_pass_are_tried_again_with_a_doubling_pause() -> None:
    request = Requests(TimedOut(), NetworkError("Bad Gateway"))
    result = await send_with_retries(request, backoff=0.5, sleep=request.sleep)
    assert result == Result(Outcome.SENT, 3, tries=3)
    assert request.attempts == [1, 2, 3]
    assert request.pauses == [0.5, 1.0]


async def test_tries_spent_are_failed_with_the_last_error() -> None:
    last = RetryAfter(timedelta(seconds=1))
    request = Requests(TimedOut(), NetworkError("reset"), last, TimedOut())
    result = await send_with_retries(request, backoff=0.1, sleep=request.sleep)
    assert (result.outcome, result.error, result.tries, result.value) == (
        Outcome.FAILED,
        last,
        TRIES,
        None,
    )
    assert request.attempts == [1, 2, 3]
    assert request.pauses == [0.1, 0.2]


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (Forbidden("Forbidden: bot was blocked by the user"), Outcome.GONE),
        (BadRequest("Bad Request: chat not found"), Outcome.GONE),
        (BadRequest("Bad Request: can't parse entities"), Outcome.REFUSED),
        (TelegramError("unknown"), Outcome.FAILED),
    ],
)
async def test_a_final_error_is_not_tried_again(error: TelegramError, outcome: Outcome) -> None:
    request = Requests(TimedOut(), error)
    result = await send_with_retries(request, backoff=0.5, sleep=request.sleep)
    assert result == Result(outcome, error=error, tries=2)
    assert request.attempts == [1, 2]
    assert request.pauses == [0.5]


async def test_tries_can_be_fewer() -> None:
    error = TimedOut()
    request = Requests(error)
    result = await send_with_retries(request, backoff=0.5, tries=1, sleep=request.sleep)
    assert result == Result(Outcome.FAILED, error=error, tries=1)
    assert request.pauses == []
