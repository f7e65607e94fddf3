"""Webhook mode on loopback: the secret check, bad bodies, /healthz, and SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.error import TelegramError

from bot.config import Settings
from bot.jobs.daily import JOB_NAME
from bot.web.metrics import FAILURES_DOWN
from bot.web.webhook import SECRET_HEADER, url_path
from content import Content
from tests.conftest import START, FakeClock
from tests.fakeapi import FakeBotApi
from tests.helpers import (
    SECRET,
    TICK,
    WEBHOOK_URL,
    bot_process,
    clean_env,
    free_port,
    health,
    message,
    post,
    sigterm,
    webhook_bot,
)


@pytest.mark.parametrize(
    ("webhook_url", "path", "expected"),
    [
        pytest.param("https://bot.example.org/telegram/x", None, "/telegram/x", id="from-url"),
        pytest.param("https://bot.example.org/telegram", "/local", "/local", id="override"),
        pytest.param("https://bot.example.org", None, "/", id="root"),
    ],
)
def test_url_path(webhook_url: str, path: str | None, expected: str) -> None:
    settings = Settings(
        token="1:x",
        db_path=Path("x.db"),
        default_timezone="UTC",
        api_base_url="http://x/bot",
        webhook_url=webhook_url,
        url_path=path,
    )
    assert url_path(settings) == expected


async def test_webhook_is_set_and_kept_on_stop(
    fake: FakeBotApi, tmp_path: Path, clock: FakeClock
) -> None:
    async with webhook_bot(fake, tmp_path, clock):
        assert fake.api.webhook == {
            "url": WEBHOOK_URL,
            "secret_token": SECRET,
            "allowed_updates": list(Update.ALL_TYPES),
        }
    # Telegram keeps updates for the webhook while the bot is down (see bot.web.webhook.serve).
    assert not [c for c in fake.calls if c.method == "deleteWebhook"]


async def test_update_with_the_secret_is_answered(
    fake: FakeBotApi, tmp_path: Path, clock: FakeClock, content: Content
) -> None:
    async with webhook_bot(fake, tmp_path, clock) as (_, base):
        assert await post(base + "/hook", message(fake, 7, "/start"), SECRET) == 200
        reply = await fake.wait_for(lambda: fake.api.sent(7))
        assert reply[0].params["text"] == content.message("welcome")


async def test_local_path_can_differ_from_the_public_one(
    fake: FakeBotApi, tmp_path: Path, clock: FakeClock
) -> None:
    async with webhook_bot(fake, tmp_path, clock, url_path="/behind-proxy") as (_, base):
        assert await post(base + "/hook", message(fake, 7, "/start"), SECRET) in (404, 405)
        assert await post(base + "/behind-proxy", message(fake, 7, "/start"), SECRET) == 200
        await fake.wait_for(lambda: fake.api.sent(7))


@pytest.mark.parametrize(
    "secret",
    [
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
        pytest.param("not-the-secret", id="wrong"),
        pytest.param(SECRET[:-1], id="prefix"),
        pytest.param(SECRET + "x", id="longer"),
    ],
)
async def test_wrong_or_missing_secret_is_refused_and_not_processed(
    fake: FakeBotApi, tmp_path: Path, clock: FakeClock, secret: str | None
) -> None:
    async with webhook_bot(fake, tmp_path, clock) as (_, base):
        assert await post(base + "/hook", message(fake, 7, "/start"), secret) == 403
        # Updates are handled in order: once the next one is answered, a queued refused
        # one would have been answered too.
        assert await post(base + "/hook", message(fake, 8, "/start"), SECRET) == 200
        await fake.wait_for(lambda: fake.api.sent(8))
        assert fake.api.sent(7) == []


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"{not json", id="not-json"),
        pytest.param(b"\xff\xfe", id="not-utf8"),
        pytest.param(b"[1, 2]", id="a-list"),
        pytest.param(b'{"message": {}}', id="no-update-id"),
        pytest.param(b'{"update_id": 5, "message": 3}', id="bad-message"),
    ],
)
async def test_a_body_that_is_no_update_gets_400(
    fake: FakeBotApi, tmp_path: Path, clock: FakeClock, body: bytes
) -> None:
    async with webhook_bot(fake, tmp_path, clock) as (_, base):
        assert await post(base + "/hook", body, SECRET) == 400
        assert await post(base + "/hook", message(fake, 8, "/start"), SECRET) == 200
        await fake.wait_for(lambda: fake.api.sent(8))


async def raw_post(base: str, path: str, headers: bytes, body: bytes) -> int:
    """POST with header bytes as given (no client library would send these), the status."""
    host, port = base.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(
            b"POST " + path.encode() + b" HTTP/1.1\r\nHost: " + host.encode() + b"\r\n"
            b"Content-Type: application/json\r\nConnection: close\r\n"
            + headers
            + b"Content-Length: "
            + str(len(body)).encode()
            + b"\r\n\r\n"
            + body
        )
        await writer.drain()
        status_line = await reader.readline()
        return int(status_line.split()[1])
    finally:
        writer.close()


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(b"\xff\xfe\x80", id="not-utf8"),
        pytest.param(SECRET.encode() + b"\xff", id="secret-then-bad-byte"),
        pytest.param(SECRET.encode() + b"\xc3\xa9", id="secret-then-utf8"),
        pytest.param(b"\xe2\x80\xae" + SECRET.encode(), id="bidi-then-secret"),
    ],
)
async def test_a_secret_header_of_any_bytes_gets_403(
    fake: FakeBotApi,
    tmp_path: Path,
    clock: FakeClock,
    value: bytes,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The defect: a non-UTF-8 secret header gave 500 with a traceback."""
    async with webhook_bot(fake, tmp_path, clock) as (_, base):
        header = SECRET_HEADER.encode() + b": " + value + b"\r\n"
        assert await raw_post(base, "/hook", header, message(fake, 7, "/start")) == 403
        good = SECRET_HEADER.encode() + b": " + SECRET.encode() + b"\r\n"
        assert await raw_post(base, "/hook", good, message(fake, 8, "/start")) == 200
        await fake.wait_for(lambda: fake.api.sent(8))
        assert fake.api.sent(7) == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


DEEP = 100_000
#: Who sends the updates the bot has no handler for.
A_USER = {"id": 5, "is_bot": False, "first_name": "A"}


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"[" * DEEP + b"]" * DEEP, id="deep-list"),
        pytest.param(
            b'{"update_id": 3, "message": ' + b'{"a": ' * DEEP + b"1" + b"}" * DEEP + b"}",
            id="deep-message",
        ),
    ],
)
async def test_a_body_too_deep_gets_400(
    fake: FakeBotApi,
    tmp_path: Path,
    clock: FakeClock,
    body: bytes,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The defect: a 100,000-deep JSON body gave 500 (RecursionError)."""
    async with webhook_bot(fake, tmp_path, clock) as (_, base):
        assert await post(base + "/hook", body, SECRET) == 400
        assert await post(base + "/hook", message(fake, 8, "/start"), SECRET) == 200
        await fake.wait_for(lambda: fake.api.sent(8))
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize(
    "update",
    [
        pytest.param({}, id="nothing-in-it"),
        pytest.param(
            {
                "poll_answer": {
                    "poll_id": "1",
                    "option_ids": [0],
                    "option_persistent_ids": ["a"],
                    "user": A_USER,
                }
            },
            id="poll-answer",
        ),
        pytest.param(
            {
                "inline_query": {
                    "id": "9",
                    "from": A_USER,
                    "query": "knead",
                    "offset": "",
                }
            },
            id="inline-query",
        ),
        pytest.param(
            {
                "callback_query": {
                    "id": "9",
                    "from": A_USER,
                    "chat_instance": "1",
                    "inline_message_id": "AAA",
                    "data": "page:safety",
                }
            },
            id="inline-button-without-chat",
        ),
        pytest.param(
            {
                "channel_post": {
                    "message_id": 1,
                    "date": 0,
                    "text": "/tip",
                    "chat": {"id": -1001, "type": "channel", "title": "C"},
                }
            },
            id="channel-post",
        ),
    ],
)
async def test_an_update_the_bot_does_not_handle_gets_200_and_no_error(
    fake: FakeBotApi,
    tmp_path: Path,
    clock: FakeClock,
    update: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The defect: an update with the secret but no chat raised AttributeError."""
    async with webhook_bot(fake, tmp_path, clock) as (_, base):
        if "callback_query" in update:  # a press Telegram would let the bot answer
            fake.api.pending_callbacks.add(update["callback_query"]["id"])
        body = json.dumps({"update_id": 900, **update}).encode()
        assert await post(base + "/hook", body, SECRET) == 200
        # Updates are handled in order: once the next is answered, the first was handled.
        assert await post(base + "/hook", message(fake, 8, "/start"), SECRET) == 200
        await fake.wait_for(lambda: fake.api.sent(8))
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_health_follows_the_delivery_job(
    fake: FakeBotApi, tmp_path: Path, clock: FakeClock
) -> None:
    async with webhook_bot(fake, tmp_path, clock) as (application, base):
        assert application.job_queue is not None
        (job,) = application.job_queue.get_jobs_by_name(JOB_NAME)
        await job.run(application)
        assert application.jobs.dispatcher.last_progress == START
        status, body = await health(base)
        assert status == 200
        assert body["database"] == "ok" and body["problems"] == []
        assert body["delivery_job_last_finished"] == START.isoformat()
        assert body["quarantined_rows"] == 0 and body["oldest_due_seconds"] is None

        clock.advance(seconds=2 * TICK)  # two intervals late: still fine
        assert (await health(base))[0] == 200
        clock.advance(seconds=1)
        status, body = await health(base)
        assert status == 503
        assert body["delivery_job"] == "stale" and body["database"] == "ok"
        assert body["problems"] == ["no daily-tip run finished in 2 ticks"]

        await job.run(application)  # the job runs again: healthy again
        status, body = await health(base)
        assert status == 200 and body["delivery_job_last_finished"] == clock().isoformat()


async def test_a_fresh_bot_is_healthy_for_two_intervals(
    fake: FakeBotApi, tmp_path: Path, clock: FakeClock
) -> None:
    async with webhook_bot(fake, tmp_path, clock) as (_, base):
        status, body = await health(base)
        assert status == 200 and body["delivery_job_last_finished"] is None
        clock.advance(seconds=2 * TICK + 1)
        assert (await health(base))[0] == 503


async def test_health_is_503_when_the_database_fails(
    fake: FakeBotApi, tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with webhook_bot(fake, tmp_path, clock) as (application, base):

        def broken(*args: object) -> int:
            raise sqlite3.OperationalError("disk I/O error")

        monkeypatch.setattr(application.services.store, "quarantined_count", broken)
        status, body = await health(base)
        assert status == 503 and body["database"] == "error"
        assert body["problems"] == ["the database does not answer"]


async def test_health_is_stamped_after_the_work_not_before(
    fake: FakeBotApi, tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Runs that start and then fail (here: every claim fails) are not health: the stamp
    is written when a run finishes, so /healthz turns 503 after two ticks of failures."""
    async with webhook_bot(fake, tmp_path, clock) as (application, base):
        assert application.job_queue is not None
        (job,) = application.job_queue.get_jobs_by_name(JOB_NAME)
        store = application.services.store
        assert await post(base + "/hook", message(fake, 5, "/subscribe"), SECRET) == 200
        await fake.wait_for(lambda: fake.api.sent(5))

        def broken(*args: object) -> object:
            raise RuntimeError("claim failed")

        monkeypatch.setattr(store, "claim_due", broken)
        for _ in range(3):
            clock.advance(hours=1, seconds=TICK)
            with contextlib.suppress(RuntimeError):
                await job.run(application)
        status, body = await health(base)
        assert status == 503 and body["delivery_job"] == "stale"
        assert body["delivery_job_last_finished"] is None
        assert body["oldest_due_seconds"] > 0  # and the body says how late the tips are


async def test_health_is_503_when_telegram_refuses_the_token(
    fake: FakeBotApi, tmp_path: Path, clock: FakeClock
) -> None:
    """A token revoked in @BotFather while the bot runs: every call is answered 401."""
    async with webhook_bot(fake, tmp_path, clock) as (_, base):
        fake.token = "987:revoked"
        assert await post(base + "/hook", message(fake, 7, "/start"), SECRET) == 200
        await fake.wait_for(lambda: fake.requests_with_wrong_token)
        status, body = await health(base)
        assert status == 503 and body["telegram"] == "token refused"
        (problem,) = body["problems"]
        assert "Telegram refuses the token" in problem and "@BotFather" in problem


async def test_health_is_503_after_failed_calls_in_a_row_until_one_works(
    fake: FakeBotApi, tmp_path: Path, clock: FakeClock
) -> None:
    async with webhook_bot(fake, tmp_path, clock) as (application, base):

        async def send() -> None:
            with contextlib.suppress(TelegramError):
                await application.bot.send_message(7, "hello")

        fake.refuse["sendMessage"] = "500"
        for _ in range(FAILURES_DOWN - 1):
            await send()
        status, body = await health(base)
        assert status == 200 and body["telegram_failures_in_a_row"] == FAILURES_DOWN - 1
        await send()
        status, body = await health(base)
        assert status == 503 and body["telegram"] == "failing"
        assert body["problems"] == [f"the last {FAILURES_DOWN} Bot API calls failed (500)"]

        del fake.refuse["sendMessage"]
        await send()  # one success: Telegram works again
        status, body = await health(base)
        assert status == 200 and body["telegram"] == "ok"
        assert body["telegram_failures_in_a_row"] == 0


async def test_one_row_whose_zone_no_longer_loads_holds_up_no_one(
    fake: FakeBotApi, tmp_path: Path, clock: FakeClock
) -> None:
    """The defect: one subscriber whose timezone stopped loading rolled back every claim
    batch (0 tips to anyone) while /healthz said ok."""
    async with webhook_bot(fake, tmp_path, clock) as (application, base):
        assert application.job_queue is not None
        (job,) = application.job_queue.get_jobs_by_name(JOB_NAME)
        store = application.services.store
        chats = [11, 12, 13]
        for chat in chats:
            assert await post(base + "/hook", message(fake, chat, "/subscribe"), SECRET) == 200
        await fake.wait_for(lambda: all(fake.api.sent(chat) for chat in chats))
        # What a tzdata update can leave behind (the bot itself no longer accepts such names).
        store.db.execute("UPDATE subscribers SET timezone = 'Mars/Olympus_Mons' WHERE chat_id = 12")
        before = {chat: len(fake.api.sent(chat)) for chat in chats}
        clock.set(START.replace(hour=9, minute=1))
        await job.run(application)

        await fake.wait_for(lambda: len(fake.api.sent(11)) > before[11])
        await fake.wait_for(lambda: len(fake.api.sent(13)) > before[13])
        assert len(fake.api.sent(12)) == before[12]
        status, body = await health(base)
        assert status == 200 and body["quarantined_rows"] == 1
        assert body["oldest_due_seconds"] is None  # nothing else is waiting


@pytest.mark.slow
async def test_run_with_a_webhook_stops_cleanly_on_sigterm(
    fake: FakeBotApi, tmp_path: Path, content: Content
) -> None:
    port = free_port()
    env = clean_env(
        tmp_path,
        TELEGRAM_BOT_TOKEN=fake.token,
        TELEGRAM_API_BASE_URL=fake.base_url,
        BACKCARE_DB=str(tmp_path / "run.db"),
        BACKCARE_WEBHOOK_SECRET=SECRET,
    )
    args = ("--log-level", "DEBUG", "run", "--webhook-url", WEBHOOK_URL)
    async with bot_process(
        tmp_path, env, *args, "--listen", "127.0.0.1", "--port", str(port)
    ) as process:
        await fake.wait_call("setWebhook", timeout=30)
        base = f"http://127.0.0.1:{port}"
        assert await post(base + "/hook", message(fake, 7, "/start"), SECRET) == 200
        reply = await fake.wait_for(lambda: fake.api.sent(7), timeout=10)
        assert reply[0].params["text"] == content.message("welcome")
        assert (await health(base))[0] == 200
        log = await sigterm(process)
    assert "Traceback" not in log
    assert fake.token not in log and SECRET not in log
    assert not [c for c in fake.calls if c.method == "deleteWebhook"]
