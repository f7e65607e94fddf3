"""Guided sessions under load: 1,000 sessions at once on Telegram's global budget.

The bot runs in this process (polling, the real session job on the real clock). A fake Bot
API runs in another process (this script with ``--serve``) and behaves as Telegram does
under load: 80 ms added to every answer, at most 30 messages (sends and edits) in any
sliding second for the whole bot and 1 a second per chat, beyond which it answers 429 with
retry_after=1. The sessions are seeded with starts spread over the last 100 s, so step
changes fall due all the time. While they run, the fake plays users:

- a press: every 0.5 s one session's ⏸ Pause; latency = from the update being queued to
  the edit showing "Paused" reaching the fake;
- a step change: every step that falls due in the window; latency = from the moment it is
  due to the first edit showing that step;
- another user: every 0.5 s someone new sends /help; latency = from queued to the reply.

Targets (issue 21), 1,000 sessions: press p95 < 1.5 s, step change p95 < 3 s, /help
p99 < 1 s.

    .venv/bin/python bench/sessions.py [--sessions N] [--seconds S] [--smoke]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import itertools
import json
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict, deque
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import _common as C
from aiohttp import web

ROOT = C.ROOT

TOKEN = "123456:BENCH-SESSIONS"
LATENCY = 0.08
GLOBAL_LIMIT = 30
CHAT_LIMIT = 1
#: Messages that count against the limits.
_LIMITED = {"sendmessage", "editmessagetext", "sendphoto"}
STEP = re.compile(r"step (\d+) of (\d+)")


# The fake Bot API (``--serve``) -----------------------------------------------------------


class Fake:
    """Telegram as a bot under load sees it: latency, a global and a per-chat limit."""

    def __init__(self) -> None:
        self.sent: deque[float] = deque()
        self.per_chat: dict[int, deque[float]] = defaultdict(deque)
        self.updates: list[dict[str, Any]] = []
        self.wake = asyncio.Event()
        self.ids = itertools.count(1)
        self.message_ids = itertools.count(10_000_000)
        #: (wall time, method, chat id, text) of every message that got through.
        self.events: list[tuple[float, str, int, str]] = []
        self.refused = 0

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"].lower()
        params: dict[str, Any] = {}
        if request.content_type == "application/json":
            params = await request.json()
        elif request.can_read_body:
            params = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
        if method == "getupdates":
            return _ok(await self.get_updates(params))
        await asyncio.sleep(LATENCY)
        if method in _LIMITED:
            chat = int(params.get("chat_id", 0))
            now = time.monotonic()
            for window in (self.sent, self.per_chat[chat]):
                while window and window[0] <= now - 1:
                    window.popleft()
            if len(self.sent) >= GLOBAL_LIMIT or len(self.per_chat[chat]) >= CHAT_LIMIT:
                self.refused += 1
                return web.json_response(
                    {
                        "ok": False,
                        "error_code": 429,
                        "description": "Too Many Requests: retry after 1",
                        "parameters": {"retry_after": 1},
                    },
                    status=429,
                )
            self.sent.append(now)
            self.per_chat[chat].append(now)
            self.events.append((time.time(), method, chat, str(params.get("text", ""))))
            return _ok(self.message(chat, params))
        return _ok(ANSWERS.get(method, True))

    def message(self, chat: int, params: dict[str, Any]) -> dict[str, Any]:
        message_id = int(params.get("message_id") or next(self.message_ids))
        return {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat, "type": "private"},
            "text": str(params.get("text", "")),
        }

    async def get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        self.updates = [u for u in self.updates if u["update_id"] >= offset]
        if not self.updates:
            self.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), min(float(params.get("timeout") or 0), 5))
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        return self.updates[:100]

    def queue(self, body: dict[str, Any]) -> None:
        self.updates.append({"update_id": next(self.ids), **body})
        self.wake.set()

    async def control(self, request: web.Request) -> web.Response:
        action = request.match_info["action"]
        payload = await request.json() if request.can_read_body else {}
        user = {"id": 0, "is_bot": False, "first_name": "U", "language_code": "en"}
        if action == "press":
            chat = int(payload["chat_id"])
            self.queue(
                {
                    "callback_query": {
                        "id": f"q{next(self.ids)}",
                        "from": {**user, "id": chat},
                        "chat_instance": str(chat),
                        "data": payload["data"],
                        "message": {
                            "message_id": int(payload["message_id"]),
                            "date": int(time.time()),
                            "chat": {"id": chat, "type": "private"},
                            "text": "…",
                        },
                    }
                }
            )
        elif action == "say":
            chat = int(payload["chat_id"])
            self.queue(
                {
                    "message": {
                        "message_id": next(self.message_ids),
                        "date": int(time.time()),
                        "chat": {"id": chat, "type": "private"},
                        "from": {**user, "id": chat},
                        "text": payload["text"],
                        "entities": [
                            {"type": "bot_command", "offset": 0, "length": len(payload["text"])}
                        ],
                    }
                }
            )
        elif action == "events":
            return _ok({"events": self.events, "refused": self.refused})
        return _ok(True)


ANSWERS: dict[str, Any] = {
    "getme": {
        "id": 1,
        "is_bot": True,
        "first_name": "Bench",
        "username": "bench_bot",
        "can_join_groups": False,
        "can_read_all_group_messages": False,
        "supports_inline_queries": True,
    },
    "getmydescription": {"description": ""},
    "getmyshortdescription": {"short_description": ""},
    "getchatmenubutton": {"type": "default"},
}


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


async def serve() -> None:
    fake = Fake()
    app = web.Application()
    app.router.add_post("/bot{token}/{method}", fake.handle)
    app.router.add_post("/_bench/{action}", fake.control)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(f"PORT {port}", flush=True)
    await asyncio.Event().wait()


# The bot and the users -------------------------------------------------------------------


def control(port: int, action: str, **payload: Any) -> Any:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/_bench/{action}",
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["result"]


def seed(path: Path, sessions: int, now: datetime) -> list[tuple[int, int, int, datetime]]:
    """``sessions`` chats, each with a running kneading session started in the last 100 s
    and a message; returns (chat, session id, message id, start) for each."""
    from storage import Caution, Store

    store = Store(path)
    store.migrate()
    seeded = []
    for n in range(sessions):
        chat = 1_000 + n
        started = now - timedelta(seconds=100 * n / max(sessions, 1))
        store.set_caution(chat, Caution.NONE, started)
        permit = store.massage(chat, started).permit
        assert permit is not None
        session = store.start_session(permit, "kneading", "en", started)
        assert session is not None
        store.set_session_message(session.id, 20_000_000 + n, started)
        seeded.append((chat, session.id, 20_000_000 + n, started))
    store.close()
    return seeded


async def run(sessions: int, seconds: float) -> dict[str, Any]:
    from bot.app import build_application, running
    from bot.config import Settings
    from content import load

    timings = load().technique("kneading").timings  # type: ignore[union-attr]
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve"], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert proc.stdout is not None
    port = int(proc.stdout.readline().split()[1])
    try:
        with tempfile.TemporaryDirectory() as folder:
            db = Path(folder) / "sessions.db"
            seeded = seed(db, sessions, datetime.now(UTC))
            settings = Settings(
                token=TOKEN,
                db_path=db,
                default_timezone="UTC",
                api_base_url=f"http://127.0.0.1:{port}/bot",
                tick_seconds=3600,
            )
            application = build_application(settings)
            presses: dict[int, float] = {}
            helps: dict[int, float] = {}
            async with running(application, polling=True):
                start = time.time()
                loop = asyncio.get_running_loop()
                i = 0
                while time.time() - start < seconds:
                    await asyncio.sleep(0.5)
                    chat, session_id, message_id, _ = seeded[(i * 37) % len(seeded)]
                    if chat not in presses:
                        presses[chat] = time.time()
                        press = functools.partial(
                            control,
                            port,
                            "press",
                            chat_id=chat,
                            message_id=message_id,
                            data=f"ses:pause:{session_id}",
                        )
                        await loop.run_in_executor(None, press)
                    helper = 5_000_000 + i
                    helps[helper] = time.time()
                    say = functools.partial(control, port, "say", chat_id=helper, text="/help")
                    await loop.run_in_executor(None, say)
                    i += 1
                end = time.time()
                await asyncio.sleep(2)  # the last replies
            found = control(port, "events")
    finally:
        proc.terminate()
        proc.wait(5)
    events = [tuple(e) for e in found["events"]]
    by_chat: dict[int, list[tuple[float, str]]] = defaultdict(list)
    for at, _method, chat, text in events:
        by_chat[int(chat)].append((float(at), str(text)))
    press_lat = [
        next((at for at, text in by_chat[chat] if at >= queued and "⏸" in text), end + 10) - queued
        for chat, queued in presses.items()
    ]
    help_lat = [
        next((at for at, _ in by_chat[chat] if at >= queued), end + 10) - queued
        for chat, queued in helps.items()
    ]
    step_lat = []
    for chat, _, _, started in seeded:
        boundary = started.timestamp()
        paused_at = presses.get(chat, float("inf"))
        for index, length in enumerate(timings[:-1]):
            boundary += length
            if not (start + 3 <= boundary <= end - 3) or boundary >= paused_at:
                continue
            shown = next(
                (
                    at
                    for at, text in by_chat[chat]
                    if at >= boundary - 1
                    and (m := STEP.search(text))
                    and int(m.group(1)) >= index + 2
                ),
                end + 10,
            )
            step_lat.append(shown - boundary)
    edits = sum(1 for e in events if e[1] == "editmessagetext")
    return {
        "sessions": sessions,
        "seconds": round(end - start, 1),
        "edits_per_s": round(edits / (end - start + 2), 1),
        "refused_429": found["refused"],
        "press": _quantiles(press_lat),
        "step": _quantiles(step_lat),
        "help": _quantiles(help_lat),
    }


def _quantiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    if not ordered:
        return {"n": 0}

    def q(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], 2)

    return {"n": len(ordered), "p50": q(0.5), "p95": q(0.95), "p99": q(0.99)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--sessions", type=int, default=1_000)
    parser.add_argument("--seconds", type=float, default=40.0)
    C.add_smoke(parser)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve())
        return
    sessions, seconds = (20, 3.0) if args.smoke else (args.sessions, args.seconds)
    result = asyncio.run(run(sessions, seconds))
    print(json.dumps(result, indent=2))
    C.write_results("sessions", {"smoke": args.smoke, **result})
    if not args.smoke:
        targets = (
            ("press reflected p95 < 1.5 s", result["press"].get("p95", 99) < 1.5),
            ("step change shown p95 < 3 s", result["step"].get("p95", 99) < 3),
            ("/help p99 < 1 s", result["help"].get("p99", 99) < 1),
        )
        for name, met in targets:
            print(f"{'met ' if met else 'MISSED'} {name}")


if __name__ == "__main__":
    main()
