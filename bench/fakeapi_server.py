"""A lean fake Bot API for the benchmarks, meant to run in its own process on 127.0.0.1.

It answers what the bot calls (getMe, setMyCommands, get/setMyDescription,
get/setMyShortDescription, deleteWebhook, getUpdates, sendMessage, sendPhoto,
answerCallbackQuery) with minimal valid results (a sendPhoto counts as a message; a
description set is kept per language and read back, as Telegram does),
and can enforce Telegram's overall limit: with ``--limit N`` a sendMessage that would make
more than N accepted in any sliding ``--window`` seconds is answered 429 with retry_after=1
and not counted as sent.

Every sendMessage arrival is recorded (time.monotonic(), chat id, HTTP status). A simulated
user can be started over the control API: it queues a text message for getUpdates every
``interval`` seconds, one new chat per message, and the time the update was queued, handed
out by getUpdates and answered with a sendMessage to that chat is recorded.

    python bench/fakeapi_server.py [--limit 30] [--window 1.0] [--token T]
prints "PORT <n>" on its first line once it listens.
A flood (``count`` messages from one chat at once) can be queued too.

Control: POST /_bench/{reset,user,flood,progress,stats}.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import sys
import time
from collections import Counter, deque
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

BOT = {
    "id": 1,
    "is_bot": True,
    "first_name": "backcare-bot",
    "username": "backcare_bench_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


#: The bot's profile texts: each method and the field it reads or writes.
_PROFILE = {
    "getmydescription": "description",
    "setmydescription": "description",
    "getmyshortdescription": "short_description",
    "setmyshortdescription": "short_description",
}


def _json(body: Any, status: int = 200) -> web.Response:
    return web.Response(text=json.dumps(body), status=status, content_type="application/json")


class Fake:
    def __init__(self, token: str, limit: int, window: float) -> None:
        self.token = token
        self.limit = limit
        self.window = window
        self.message_ids = itertools.count(1)
        self.update_ids = itertools.count(1)
        #: (method's field, language code) -> text: what setMy(Short)Description left.
        self.profile: dict[tuple[str, str], str] = {}
        self.reset()

    def reset(self) -> None:
        self.arrivals: list[tuple[float, int, int]] = []
        self.recent: deque[float] = deque()
        self.counts: Counter[str] = Counter()
        self.updates: list[dict[str, Any]] = []
        self.samples: dict[int, dict[str, float]] = {}
        #: Client (address, port) pairs that sent sendMessage: the bot's open connections.
        self.peers: set[Any] = set()
        self.user_task: asyncio.Task[None] | None = None
        self.wake = asyncio.Event()

    # Bot API ------------------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _json({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
        method = request.match_info["method"].lower()
        self.counts[method] += 1
        params: dict[str, Any]
        if request.content_type.startswith("multipart/"):
            # A picture upload (/technique): the fields, without the file itself.
            params = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
        elif request.content_type == "application/json":
            params = json.loads(await request.read() or b"{}")
        else:
            params = dict(parse_qsl((await request.read()).decode()))
        if method in ("sendmessage", "sendphoto"):
            transport = request.transport
            if transport is not None:
                self.peers.add(transport.get_extra_info("peername"))
            return self.send_message(params, photo=method == "sendphoto")
        if method == "getupdates":
            return _json({"ok": True, "result": await self.get_updates(params)})
        if method == "getme":
            return _json({"ok": True, "result": BOT})
        if method in ("setmycommands", "deletewebhook", "setwebhook", "answercallbackquery"):
            return _json({"ok": True, "result": True})
        if method == "getchatmenubutton":  # the bot reads it on start
            return _json({"ok": True, "result": {"type": "default"}})
        if method in _PROFILE:
            field = _PROFILE[method]
            key = (field, str(params.get("language_code") or ""))
            if method.startswith("set"):
                self.profile[key] = str(params.get(field) or "")
                return _json({"ok": True, "result": True})
            return _json({"ok": True, "result": {field: self.profile.get(key, "")}})
        return _json({"ok": False, "error_code": 404, "description": "Not Found"}, 404)

    def send_message(self, params: dict[str, Any], *, photo: bool = False) -> web.Response:
        now = time.monotonic()
        chat_id = int(params["chat_id"])
        status = 200
        if self.limit:
            recent = self.recent
            while recent and recent[0] <= now - self.window:
                recent.popleft()
            if len(recent) >= self.limit:
                status = 429
            else:
                recent.append(now)
        self.arrivals.append((now, chat_id, status))
        sample = self.samples.get(chat_id)
        if sample is not None:
            sample.setdefault("reply_first", now)
            if status == 200:
                sample.setdefault("reply_ok", now)
        if status == 429:
            return _json(
                {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests: retry after 1",
                    "parameters": {"retry_after": 1},
                },
                429,
            )
        message: dict[str, Any] = {
            "message_id": next(self.message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "U"},
        }
        if photo:
            # One file id for every picture: the bot uploads each once, then sends by id.
            message["photo"] = [
                {"file_id": "bench-photo", "file_unique_id": "b", "width": 1200, "height": 1600}
            ]
        return _json({"ok": True, "result": message})

    async def get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 10.0)
        self.updates = [u for u in self.updates if u["update_id"] >= offset]
        if not self.updates and timeout > 0:
            self.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout)
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        handed = self.updates[: int(params.get("limit") or 100)]
        now = time.monotonic()
        for update in handed:
            sample = self.samples.get(update["message"]["chat"]["id"])
            if sample is not None:
                sample.setdefault("delivered", now)
        return handed

    # A simulated user ---------------------------------------------------------------------

    def message_update(self, chat_id: int, text: str) -> dict[str, Any]:
        """A user's text message in their private chat, as getUpdates hands it out."""
        command = text.split()[0]
        return {
            "update_id": next(self.update_ids),
            "message": {
                "message_id": next(self.message_ids),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private", "first_name": "U"},
                "from": {"id": chat_id, "is_bot": False, "first_name": "U", "language_code": "en"},
                "text": text,
                "entities": [{"type": "bot_command", "offset": 0, "length": len(command)}],
            },
        }

    def flood(self, chat_id: int, count: int, text: str) -> None:
        """One user sends ``count`` messages at once (a burst, a script, a stuck key)."""
        self.updates.extend(self.message_update(chat_id, text) for _ in range(count))
        self.wake.set()

    async def run_user(self, chat_base: int, count: int, interval: float, text: str) -> None:
        loop = asyncio.get_running_loop()
        start = loop.time()
        for i in range(count):
            # Fixed schedule (not sleep-after-send), so one slow step does not shift the rest.
            await asyncio.sleep(max(0.0, start + i * interval - loop.time()))
            chat_id = chat_base + i
            update = self.message_update(chat_id, text)
            self.samples[chat_id] = {"queued": time.monotonic()}
            self.updates.append(update)
            self.wake.set()

    # Control ------------------------------------------------------------------------------

    async def control(self, request: web.Request) -> web.Response:
        action = request.match_info["action"]
        payload = await request.json() if request.can_read_body else {}
        if action == "reset":
            if self.user_task is not None:
                self.user_task.cancel()
            self.reset()
            if "limit" in payload:
                self.limit = int(payload["limit"])
            return _json({"ok": True, "limit": self.limit})
        if action == "user":
            self.user_task = asyncio.create_task(
                self.run_user(
                    int(payload["chat_base"]),
                    int(payload["count"]),
                    float(payload["interval"]),
                    str(payload.get("text", "/technique")),
                )
            )
            return _json({"ok": True})
        if action == "flood":
            self.flood(int(payload["chat"]), int(payload["count"]), str(payload["text"]))
            return _json({"ok": True, "at": time.monotonic()})
        if action == "progress":
            return _json(
                {
                    "queued": len(self.samples),
                    "replied": sum(1 for s in self.samples.values() if "reply_ok" in s),
                    "user_done": self.user_task is not None and self.user_task.done(),
                    "sent": len(self.arrivals),
                }
            )
        if action == "stats":
            return _json(
                {
                    "now": time.monotonic(),
                    "arrivals": self.arrivals,
                    "counts": dict(self.counts),
                    "send_connections": len(self.peers),
                    "samples": self.samples,
                    "user_done": self.user_task is not None and self.user_task.done(),
                }
            )
        return _json({"ok": False}, 404)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--window", type=float, default=1.0)
    parser.add_argument("--token", default="123456:BENCH-TOKEN")
    args = parser.parse_args()
    fake = Fake(args.token, args.limit, args.window)
    app = web.Application(client_max_size=1 << 20)
    app.router.add_post("/bot{token}/{method}", fake.handle)
    app.router.add_post("/_bench/{action}", fake.control)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(f"PORT {port}", flush=True)
    try:
        # Bounded: a fake left behind by a crashed benchmark stops on its own.
        await asyncio.sleep(3600)
    finally:
        await runner.cleanup()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
