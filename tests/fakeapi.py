"""A fake Bot API server on 127.0.0.1: the bot talks to it over real HTTP, as to Telegram."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.console.localapi import BotApiError, Call, LocalBotApi, Upload

#: Parameters that are strings even when they look like JSON (PTB sends them raw).
_STRING_PARAMS = {"text", "callback_query_id", "parse_mode", "caption", "url", "description"}
#: Methods that ``FakeBotApi.faults`` apply to: those that send a chat something, or edit it.
_FAULTY_METHODS = {"sendmessage", "sendphoto", "editmessagetext", "copymessage"}


class FakeBotApi:
    """Serves LocalBotApi at http://127.0.0.1:PORT/bot<token>/<method> and records every call."""

    def __init__(self, token: str = "123456:TEST-TOKEN") -> None:
        self.token = token
        self.api = LocalBotApi()
        self.requests_with_wrong_token = 0
        #: Faults to answer the next sendMessage and sendPhoto calls to a chat with, one per call,
        #: in order:
        #: "429:N" (retry after N s), "403", "400 chat not found", "400", "500", "timeout",
        #: "reset" (connection dropped).
        self.faults: dict[int, list[str]] = {}
        self.injected: list[tuple[int, str]] = []
        #: Methods answered with a fault on every call until removed, e.g.
        #: ``{"getMyDescription": "400"}``: the faults above, "401" (the token refused) and
        #: "404" (a method this server lacks).
        self.refuse: dict[str, str] = {}
        self.timeout_delay = 2.0
        #: Set by ``stop``: a "timeout" still pending is answered at once, so stopping never
        #: waits out its delay (the bot stopped waiting for it long before).
        self._stopping = asyncio.Event()
        #: Set while the bot's long poll (getUpdates) waits here for its answer.
        self._polling = asyncio.Event()
        #: Called with the chat id before each sendMessage or sendPhoto is answered.
        self.on_send: Callable[[int], None] | None = None
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    async def __aenter__(self) -> FakeBotApi:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}/bot"
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def stop(self) -> None:
        """Stop serving (Telegram unreachable from now on); safe to call more than once."""
        if self._runner is not None:
            runner, self._runner = self._runner, None
            self._stopping.set()
            # A long poll still parked here would hold the cleanup up to its end (0.5 s).
            self.api.notify()
            await runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            self.requests_with_wrong_token += 1
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        params: dict[str, Any] = {}
        if request.content_type == "application/json":
            params = await request.json()
        elif request.can_read_body:
            for key, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    params[key] = Upload(value.filename, value.file.read(), value.content_type)
                else:
                    params[key] = value if key in _STRING_PARAMS else _decode(str(value))
        method = request.match_info["method"]
        if method in self.refuse:
            return await self._fault(request, self.refuse[method])
        if method.lower() in _FAULTY_METHODS and self.on_send is not None:
            self.on_send(int(params.get("chat_id", 0)))
        if method.lower() in _FAULTY_METHODS:
            faults = self.faults.get(int(params.get("chat_id", 0)))
            if faults:
                self.injected.append((int(params["chat_id"]), faults[0]))
                return await self._fault(request, faults.pop(0))
        polling = method == "getUpdates"
        if polling:
            self._polling.set()
        try:
            result = await self.api.handle(method, params)
        except BotApiError as error:
            return web.json_response(
                {"ok": False, "error_code": error.code, "description": error.description},
                status=error.code,
            )
        finally:
            if polling:
                self._polling.clear()
        return web.json_response({"ok": True, "result": result})

    async def _fault(self, request: web.Request, fault: str) -> web.Response:
        """Answer a send the way Telegram or the network sometimes does."""
        if fault.startswith("429"):
            seconds = int(fault.partition(":")[2] or 1)
            return _error(429, f"Too Many Requests: retry after {seconds}", retry_after=seconds)
        if fault == "401":
            return _error(401, "Unauthorized")
        if fault == "404":
            return _error(404, "Not Found")  # what Telegram answers to a method it lacks
        if fault == "403":
            return _error(403, "Forbidden: bot was blocked by the user")
        if fault == "400 chat not found":
            return _error(400, "Bad Request: chat not found")
        if fault == "400":
            return _error(400, "Bad Request: message is too long")
        if fault == "500":
            return _error(500, "Internal Server Error")
        if fault == "timeout":
            # Longer than the bot waits; never sent.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.timeout_delay)
            return _error(504, "Gateway Timeout")
        if fault == "reset":
            assert request.transport is not None
            request.transport.abort()  # the connection drops before any answer
            return web.Response()
        raise ValueError(f"unknown fault {fault!r}")

    # For tests ---------------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        """Every request the bot made, oldest first."""
        return self.api.calls

    async def poll_parked(self, timeout: float = 0.5) -> None:
        """Wait until the bot's long poll waits here for its answer, for ``timeout`` at most
        (polling may have ended: Telegram out of reach, the token refused).

        A bot should stop while its poll is parked. PTB's Updater.stop cancels the poll in
        flight; cancelled while it reads an answer (the fake answers a poll early whenever
        the bot makes a request or an update is handled), httpx keeps the poll's one pooled
        connection checked out, and PTB's last getUpdates at stop waits out its 1 s pool
        timeout: a second on every bot's stop.
        """
        if self._runner is None or "getUpdates" in self.refuse:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._polling.wait(), timeout)

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait until ``predicate()`` is truthy and return its value; fail after ``timeout``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not (value := predicate()):
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"timed out waiting; last calls: {self.calls[-5:]}")
            await self.api.changed(min(remaining, 0.05))
        return value

    async def wait_call(self, method: str, count: int = 1, timeout: float = 5.0) -> Call:
        """Wait until the bot has made ``count`` calls of ``method`` and return the last of them."""

        def found() -> Call | None:
            calls = [c for c in self.calls if c.method == method]
            return calls[count - 1] if len(calls) >= count else None

        result: Call = await self.wait_for(found, timeout)
        return result


def _error(code: int, description: str, retry_after: int | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=code)


def _decode(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value
