"""Logs: one line per event, text or JSON, never the token, never what a user typed."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import subprocess
import uuid
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.error import NetworkError
from telegram.ext import CommandHandler

from bot import logs
from bot.app import build_application, running
from bot.context import BotContext
from content import Content
from tests.conftest import FakeClock, settings_for
from tests.fakeapi import FakeBotApi
from tests.helpers import bot_process, clean_env, command, sigterm

FORMATS = [pytest.param("text", id="text"), pytest.param("json", id="json")]
#: Handler group before every group the bot uses, for the test's crashing command.
FIRST_GROUP = -1


def marker() -> str:
    """A string no log line can contain by chance."""
    return "Zq" + uuid.uuid4().hex[:12]


def check_lines(text: str, fmt: str, forbidden: list[str]) -> list[str]:
    """Every line of ``text``: none contains a ``forbidden`` string; JSON lines parse."""
    lines = text.splitlines()
    assert lines, "nothing was logged"
    for line in lines:
        for word in forbidden:
            assert word not in line, f"{word!r} logged: {line}"
        if fmt == "json":
            entry = json.loads(line)
            assert {"time", "level", "logger", "message"} <= set(entry), line
            assert entry["time"].endswith("+00:00")
    return lines


def token_parts(fake: FakeBotApi) -> list[str]:
    """The token, and its secret half on its own."""
    return [fake.token, fake.token.split(":", 1)[1]]


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    """Where ``logs.configure`` writes in this test; the root logger is restored after."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    stream = io.StringIO()
    yield stream
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.NOTSET)


def configure(stream: io.StringIO, fmt: str, secrets: list[str]) -> None:
    """``logs.configure`` at DEBUG, its handler pointed at ``stream``."""
    logs.configure("DEBUG", secrets=secrets, fmt=fmt)
    (handler,) = logging.getLogger().handlers
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)


# The formatters ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_secrets_are_redacted_in_messages_arguments_and_tracebacks(
    log_stream: io.StringIO, fmt: str
) -> None:
    token, secret = "123:ABC-def_ghi", "hook-Secret_1"
    configure(log_stream, fmt, [token, secret])
    log = logging.getLogger("test.logs")
    log.info("url https://api.telegram.org/bot%s/getMe", token)
    log.info("encoded %s", "bot123%3AABC-def_ghi/getMe")
    log.info(f"secret in the message itself: {secret}")
    try:
        raise NetworkError(f"cannot reach https://api.telegram.org/bot{token}/sendMessage")
    except NetworkError:
        log.exception("failed with %s", secret)
    lines = check_lines(log_stream.getvalue(), fmt, [token, secret, "ABC-def_ghi"])
    assert len(lines) == 4  # one line per event, the traceback included
    assert all(logs.REDACTED in line for line in lines)
    if fmt == "json":
        last = json.loads(lines[-1])
        assert "Traceback" in last["exception"] and "NetworkError" in last["exception"]
        assert last["level"] == "ERROR" and last["logger"] == "test.logs"


@pytest.mark.parametrize("fmt", FORMATS)
def test_payloads_are_logged_as_their_shape(log_stream: io.StringIO, fmt: str) -> None:
    typed = marker()
    configure(log_stream, fmt, [])
    update = Update.de_json(
        {
            "update_id": 5,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": 7, "type": "private"},
                "text": typed,
            },
        },
        None,
    )
    log = logging.getLogger("telegram.ext.Application")
    # What PTB logs at DEBUG, with these very arguments.
    log.debug("Processing update %s", update)
    log.debug("Calling Bot API endpoint `%s` with parameters `%s`", "sendMessage", {"text": typed})
    log.debug("finished with return value `%s`", [{"message": {"text": typed}}])
    log.debug("params %s", {"chat_id": 7, "text": typed})
    lines = check_lines(log_stream.getvalue(), fmt, [typed])
    assert "update 5" in lines[0] and "sendMessage" in lines[1] and "chat_id: 7" in lines[3]


# The real command, at DEBUG ----------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("fmt", FORMATS)
async def test_run_at_debug_logs_no_token_and_nothing_users_typed(
    fake: FakeBotApi, tmp_path: Path, content: Content, fmt: str
) -> None:
    typed = marker()
    env = clean_env(
        tmp_path,
        TELEGRAM_BOT_TOKEN=fake.token,
        TELEGRAM_API_BASE_URL=fake.base_url,
        BACKCARE_DB=str(tmp_path / "run.db"),
        BACKCARE_LOG_LEVEL="debug",
        BACKCARE_LOG_FORMAT=fmt,
    )
    async with bot_process(tmp_path, env, "run") as process:
        await fake.wait_call("setMyCommands", timeout=30)
        # Free text, a command's argument, and a /timezone value the bot quotes back.
        for chat_id, text in (
            (7, f"hello {typed}"),
            (10, f"my leg is numb {typed}"),  # free text naming a warning sign
            (8, f"/time {typed}"),
            (9, f"/timezone Mars/{typed}"),
        ):
            fake.api.user_message(chat_id, text)
            await fake.wait_for(partial(fake.api.sent, chat_id), timeout=10)
        quoted = fake.api.sent(9)[0].params["text"]
        assert typed in quoted  # the reply quotes it: the request's parameters carry it
        log = await sigterm(process)
    lines = check_lines(log, fmt, [*token_parts(fake), typed])
    assert logs.REDACTED in log  # PTB logged its URLs, and they were redacted
    assert any("sendMessage" in line for line in lines)  # DEBUG was on


@pytest.mark.slow
@pytest.mark.parametrize("fmt", FORMATS)
def test_unreachable_api_at_start_logs_no_token(tmp_path: Path, fmt: str) -> None:
    # Nothing listens on port 9 of loopback: the first request fails to connect.
    token = "987654:UNREACHABLE-TOKEN"
    env = clean_env(
        tmp_path,
        TELEGRAM_BOT_TOKEN=token,
        TELEGRAM_API_BASE_URL="http://127.0.0.1:9/bot",
        BACKCARE_DB=str(tmp_path / "run.db"),
    )
    result = subprocess.run(
        command("--log-level", "DEBUG", "--log-format", fmt, "run"),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
    )
    # Out of reach at start: one line for the operator after the log, and exit 2.
    assert result.returncode == 2
    *logged, last = result.stderr.splitlines()
    check_lines("\n".join(logged), fmt, [token, token.split(":")[1]])
    assert last.startswith("backcare-bot: cannot reach Telegram") and token not in last
    assert token.split(":")[1] not in result.stderr and "Traceback" not in result.stderr


# In-process: errors while handling updates ------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
async def test_errors_while_handling_log_no_token_and_no_user_text(
    fake: FakeBotApi,
    tmp_path: Path,
    clock: FakeClock,
    content: Content,
    log_stream: io.StringIO,
    fmt: str,
) -> None:
    typed = marker()
    configure(log_stream, fmt, [fake.token])
    application = build_application(settings_for(fake, tmp_path / "bot.db"), clock=clock)

    async def crash(update: Update, context: BotContext) -> None:
        """A handler whose error message carries the token, as a transport's might."""
        raise NetworkError(f"could not reach {context.bot.base_url}/sendMessage")

    application.add_handler(CommandHandler("crash", crash), group=FIRST_GROUP)
    async with running(application, polling=True):
        await fake.wait_call("setMyCommands")
        # An exception in a handler: the error handler logs it and apologises.
        fake.api.user_message(7, f"/crash {typed}")
        await fake.wait_for(
            lambda: [c for c in fake.api.sent(7) if c.params["text"] == content.message("error")]
        )
        # A network error: the connection drops while the bot replies.
        fake.faults[8] = ["reset"]
        fake.api.user_message(8, f"/start {typed}")
        await fake.wait_for(lambda: fake.injected and fake.api.sent(8))
    lines = check_lines(log_stream.getvalue(), fmt, [*token_parts(fake), typed])
    errors = [line for line in lines if "error while handling an update" in line]
    assert len(errors) == 2  # both failures, each on one line with its traceback
    assert all("NetworkError" in line for line in errors)
    assert any(logs.REDACTED in line for line in errors)


async def test_polling_errors_when_the_api_goes_away_log_no_token(
    tmp_path: Path, clock: FakeClock, log_stream: io.StringIO
) -> None:
    async with FakeBotApi() as fake:  # stopped below; stopped again (harmlessly) on failure
        configure(log_stream, "json", [fake.token])
        application = build_application(settings_for(fake, tmp_path / "bot.db"), clock=clock)
        await polling_until_unreachable(application, fake, log_stream)
    lines = check_lines(log_stream.getvalue(), "json", token_parts(fake))
    assert any(json.loads(line)["level"] == "ERROR" for line in lines), "no network error logged"


async def polling_until_unreachable(
    application: Any, fake: FakeBotApi, log_stream: io.StringIO
) -> None:
    """Run the bot, take the fake Bot API away, and wait for the logged polling error."""
    async with running(application, polling=True):
        await fake.wait_call("setMyCommands")
        await fake.stop()  # Telegram is unreachable from now on
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        while '"level": "ERROR"' not in log_stream.getvalue() and loop.time() < deadline:
            await asyncio.sleep(0.05)  # the polling loop fails within its next request


@pytest.mark.slow
def test_a_bad_log_level_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = subprocess.run(
        command("run"),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean_env(tmp_path, BACKCARE_LOG_LEVEL="chatty"),
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "BACKCARE_LOG_LEVEL" in result.stderr
