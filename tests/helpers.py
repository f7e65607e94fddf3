"""Helpers the tests share: reading buttons (of a message sent or a reply rendered), running
the `backcare-bot` command in a process, a crowd of due subscribers, the bot in webhook
mode, and the few user actions several tests repeat."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import signal
import socket
import sqlite3
import sys
import time
from asyncio.subprocess import Process
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any

import aiohttp

from bot import callbacks
from bot.app import build_application
from bot.context import BotApplication
from bot.jobs.daily import JOB_NAME
from bot.render import settings as render_settings
from bot.render.common import Reply
from bot.web.webhook import HEALTH_PATH, SECRET_HEADER, serve
from content import Content, load
from storage import Caution, Permit, Store, Subscriber
from storage.rules.safety import decide
from storage.rules.sessions import Feeling, SessionState
from tests.conftest import FakeClock, Harness, contents, settings_for
from tests.fakeapi import FakeBotApi

ROOT = Path(__file__).resolve().parents[1]


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "bot", *args]


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BACKCARE_"))}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


@asynccontextmanager
async def bot_process(tmp_path: Path, env: dict[str, str], *args: str) -> AsyncIterator[Process]:
    """Run `backcare-bot ARGS` in ``tmp_path`` until the block ends; killed if it fails."""
    process = await asyncio.create_subprocess_exec(
        *command(*args),
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def sigterm(process: Process) -> str:
    """Send SIGTERM: the bot must exit with 0 within 5 s. Returns what it logged."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=10)
    assert loop.time() - started < 5
    assert process.returncode == 0, stderr.decode()
    return stderr.decode()


def buttons(call_params: dict) -> list[str]:
    """The callback data of every inline button of a sent or edited message (buttons that
    do something else, such as opening the chat picker, are left out)."""
    keyboard = (call_params.get("reply_markup") or {}).get("inline_keyboard", [])
    return [
        button["callback_data"] for row in keyboard for button in row if "callback_data" in button
    ]


# Rendered replies (bot.render), read without Telegram -----------------------------------

TECHNIQUE_IDS = [technique.id for technique in load().techniques]


Build = Callable[[Content, Store, FakeClock], Reply]


def first_technique(content: Content) -> int:
    """The index of the first tip that teaches a technique."""
    return next(i for i, tip in enumerate(content.tips) if tip.technique is not None)


def settings_with(
    *, hold: bool = False, prompt: bool = False, caution: Caution | None = None
) -> Build:
    def build(content: Content, store: Store, clock: FakeClock) -> Reply:
        store.subscribe(1, clock())
        store.set_hold(1, hold, clock())
        store.set_checkin_prompt(1, prompt, clock())
        store.set_caution(1, caution, clock())
        return render_settings.settings(content, store.ensure(1, clock()), clock())

    return build


def callback_data(reply: Reply) -> list[str]:
    """The callback data of the buttons; every other button must be the card's "send to
    my helper" (the chat picker, people only)."""
    assert reply.keyboard is not None
    data = []
    for row in reply.keyboard.inline_keyboard:
        for button in row:
            if button.callback_data is None:
                chosen = button.switch_inline_query_chosen_chat
                assert chosen is not None and chosen.allow_user_chats
                assert not (chosen.allow_group_chats or chosen.allow_channel_chats)
                continue
            assert isinstance(button.callback_data, str)
            data.append(button.callback_data)
    return data


def labels(reply: Reply) -> dict[str, str]:
    """Each button's callback data mapped to its label."""
    assert reply.keyboard is not None
    return {
        str(button.callback_data): button.text
        for row in reply.keyboard.inline_keyboard
        for button in row
    }


def reply_data(reply: Reply) -> list[str]:
    """``callback_data`` of a reply that may have no keyboard (then none)."""
    return callback_data(reply) if reply.keyboard else []


#: Callback data that teaches or starts massage: never on a card of warning signs.
def offers_massage(reply: Reply) -> list[str]:
    """The buttons of ``reply`` that lead to a technique or a guided session."""
    return [
        data
        for data in callback_data(reply)
        if data == callbacks.TECHNIQUES or data.startswith((callbacks.TECHNIQUE_PREFIX, "ses:go:"))
    ]


async def check_in(bot: Harness, score: int) -> dict:
    """Send /checkin, press ``score`` and return the params of the edit it made."""
    question = await bot.say("/checkin")
    start = len(bot.calls)
    answer = await bot.press(question.result["message_id"], callbacks.checkin(score))
    assert answer.error is None
    edit = await bot.next_call(start, "editMessageText")
    return edit.params


async def check_in_daily(bot: Harness, clock: FakeClock, *scores: int) -> dict:
    """Check in once a day with each score, a day apart; return the last edit's params."""
    params: dict = {}
    for index, score in enumerate(scores):
        if index:
            clock.advance(days=1)
        params = await check_in(bot, score)
    return params


async def confirm_deletion(bot: Harness) -> dict:
    """Send /deletedata, press "Delete everything" and return the edited message's params."""
    question = await bot.say("/deletedata")
    start = len(bot.calls)
    answer = await bot.press(question.result["message_id"], callbacks.DELETE_CONFIRM)
    assert answer.error is None
    edit = await bot.next_call(start, "editMessageText")
    return edit.params


SUBSCRIBERS = 3000


def seed(path: Path, content: Content, *, due: bool = True) -> None:
    """SUBSCRIBERS chats, all due a few seconds ago (or, not ``due``, tomorrow)."""
    store = Store(path)
    store.migrate()
    now = datetime.now(UTC)
    store.sync_tips(content.tips, now)
    minute = now.strftime("%H:%M")
    stamp = now.isoformat()
    due_at = int(now.timestamp()) + (-5 if due else 86_400)
    store.db.table("subscribers").insert_all(
        {
            "chat_id": 10_000 + n,
            "subscribed": 1,
            "tip_time": minute,
            "timezone": "UTC",
            "next_due": due_at,
            "tip_cursor": 0,
            "created_at": stamp,
            "updated_at": stamp,
        }
        for n in range(SUBSCRIBERS)
    )
    store.close()


async def start_bot(
    fake: FakeBotApi, db: Path, cwd: Path, rate: str = "0", **extra: str
) -> asyncio.subprocess.Process:
    """Run `backcare-bot run` in a process against ``fake`` (``extra``: more settings)."""
    env = clean_env(
        cwd,
        TELEGRAM_BOT_TOKEN=fake.token,
        TELEGRAM_API_BASE_URL=fake.base_url,
        BACKCARE_DB=str(db),
        BACKCARE_SEND_RATE=rate,
        **extra,
    )
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--log-level", "WARNING", "run",
        cwd=cwd, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


def tips_per_chat(fake: FakeBotApi) -> Counter[int]:
    return Counter(
        int(c.params["chat_id"]) for c in fake.api.sent() if int(c.params["chat_id"]) >= 10_000
    )


# Webhook mode ------------------------------------------------------------------------------

SECRET = "s3cret_Webhook-token"
WEBHOOK_URL = "https://example.invalid/hook"
#: Long enough that the delivery job never runs on its own during a test: tests run it.
TICK = 30.0


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@asynccontextmanager
async def webhook_bot(
    fake: FakeBotApi, tmp_path: Path, clock: FakeClock, **overrides: Any
) -> AsyncIterator[tuple[BotApplication, str]]:
    """The real bot in webhook mode on 127.0.0.1; yields it and the server's base URL."""
    values: dict[str, Any] = {
        "webhook_url": WEBHOOK_URL,
        "listen": "127.0.0.1",
        "port": free_port(),
        "secret_token": SECRET,
        "tick_seconds": TICK,
    }
    values.update(overrides)
    settings = settings_for(fake, tmp_path / "bot.db", **values)
    application = build_application(settings, clock=clock, contents=contents())
    ready = asyncio.Event()
    server = asyncio.create_task(serve(application, settings, ready=ready))
    started = asyncio.create_task(ready.wait())
    await asyncio.wait({server, started}, timeout=10, return_when=asyncio.FIRST_COMPLETED)
    started.cancel()
    if server.done():
        server.result()  # raises what stopped it
    assert ready.is_set(), "the webhook server did not start"
    # The job runs when the test says so (the scheduled run would race the clock).
    assert application.job_queue is not None
    (job,) = application.job_queue.get_jobs_by_name(JOB_NAME)
    job.enabled = False
    try:
        yield application, f"http://127.0.0.1:{settings.port}"
    finally:
        server.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await server


async def post(url: str, body: bytes, secret: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body, headers=headers) as response,
    ):
        return response.status


async def health(base: str) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session, session.get(base + HEALTH_PATH) as response:
        body: dict[str, Any] = await response.json()
        return response.status, body


def message(fake: FakeBotApi, chat_id: int, text: str) -> bytes:
    """A user's message as Telegram would post it to the webhook (not queued for polling)."""
    return json.dumps(fake.api.user_message(chat_id, text, queue=False)).encode()


def sample_permit(chat_id: int = 1) -> Permit:
    """A permit for a chat that answered the caution check and has nothing holding massage,
    from the safety decision itself (nothing else can make one)."""
    subscriber = Subscriber(
        chat_id=chat_id,
        subscribed=True,
        tip_time=clock_time(9, 0),
        timezone="UTC",
        next_due=None,
        tip_cursor=0,
        caution=Caution.NONE,
    )
    found = decide(chat_id, subscriber, date(2026, 11, 26)).permit
    assert found is not None
    return found


# A group chat and one of its members ------------------------------------------------------------

GROUP = -100_500
MEMBER = 4242
_message_ids = itertools.count(10_000)


def next_message_id() -> int:
    """A message id no other message in these tests has."""
    return next(_message_ids)


def group_message(harness: Harness, text: str, chat_type: str = "supergroup") -> dict[str, Any]:
    """A member's message in a group, queued for the bot."""
    message: dict[str, Any] = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": {"id": GROUP, "type": chat_type, "title": "Back club"},
        "from": {"id": MEMBER, "is_bot": False, "first_name": "M", "language_code": "en"},
        "text": text,
    }
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    harness.fake.api.messages[(GROUP, message["message_id"])] = message
    return harness.fake.api.queue({"message": message})


def dump(path: object) -> list[tuple[object, ...]]:
    """Every row of every table, to compare before and after."""
    with sqlite3.connect(str(path)) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return [(t, *row) for t in sorted(tables) for row in db.execute(f"SELECT * FROM [{t}]")]


#: Every way a session can end, and how it felt, in turn: the fullest report has each.
OUTCOMES = (
    (SessionState.DONE, Feeling.BETTER),
    (SessionState.DONE, Feeling.SAME),
    (SessionState.DONE, Feeling.WORSE),
    (SessionState.DONE, None),
    (SessionState.STOPPED, None),
    (SessionState.PAIN_STOP, None),
    (SessionState.ENDED, None),
)


def damage_table(path: Path, table: str = "subscribers") -> None:
    """Overwrite the first page of ``table`` on disk, as a failing disk or a stray write
    would, while the bot may have the file open: its next read of the table finds SQLite's
    "database disk image is malformed"."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the table's pages are in the file
        (root,) = db.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = ?", [table]
        ).fetchone()
        (size,) = db.execute("PRAGMA page_size").fetchone()
    with path.open("r+b") as file:
        file.seek((root - 1) * size)
        file.write(b"\xff" * size)
    # A write from another connection: every open connection drops its cached pages.
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE damage_marker (x)")
        db.commit()


def web_apps(call_params: dict) -> list[str]:
    """The address of every Mini App (web_app) button of a sent or edited message."""
    keyboard = (call_params.get("reply_markup") or {}).get("inline_keyboard", [])
    return [button["web_app"]["url"] for row in keyboard for button in row if "web_app" in button]
