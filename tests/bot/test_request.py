"""The aiohttp transport: what it sends, how it times out, and how PTB reads its answers,
against a small HTTP server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.sending.request import AiohttpRequest


@dataclass
class Server:
    """A Bot API stand-in: answers each method with the reply set for it, records requests."""

    url: str
    replies: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    received: list[dict[str, Any]] = field(default_factory=list)
    delay: float = 0.0


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    state = Server(url="")

    async def handle(request: web.Request) -> web.Response:
        method = request.match_info["method"]
        form: dict[str, Any] = {}
        if request.content_type == "multipart/form-data":
            async for part in await request.multipart():
                assert isinstance(part, aiohttp.BodyPartReader)
                content = await part.read()
                form[part.name or ""] = (
                    part.filename,
                    bytes(content),
                    part.headers.get("Content-Type"),
                )
        else:
            form = dict(await request.post())
        state.received.append(
            {"method": method, "form": form, "agent": request.headers["User-Agent"]}
        )
        if state.delay:
            await asyncio.sleep(state.delay)
        status, body = state.replies.get(method, (200, {"ok": True, "result": True}))
        return web.json_response(body, status=status)

    app = web.Application()
    app.router.add_post("/bot{token}/{method}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    state.url = f"http://127.0.0.1:{port}"
    yield state
    await runner.cleanup()


@pytest.fixture
async def transport() -> AsyncIterator[AiohttpRequest]:
    request = AiohttpRequest(read_timeout=0.3)
    await request.initialize()
    yield request
    await request.shutdown()


async def test_a_form_is_posted_and_the_status_and_body_come_back(
    server: Server, transport: AiohttpRequest
) -> None:
    params = {"chat_id": 42, "text": "héllo <b>"}
    data = RequestData([RequestParameter(name, value, []) for name, value in params.items()])
    status, body = await transport.do_request(f"{server.url}/bot1:x/sendMessage", "POST", data)
    assert (status, json.loads(body)) == (200, {"ok": True, "result": True})
    (seen,) = server.received
    assert seen["form"] == {"chat_id": "42", "text": "héllo <b>"}
    assert seen["agent"] == AiohttpRequest.USER_AGENT


async def test_a_file_goes_as_multipart_with_its_name_and_type(
    server: Server, transport: AiohttpRequest
) -> None:
    bot = Bot("1:x", base_url=f"{server.url}/bot", request=transport)
    server.replies["sendPhoto"] = (
        200,
        {
            "ok": True,
            "result": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": 42, "type": "private"},
                "photo": [{"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}],
            },
        },
    )
    message = await bot.send_photo(42, b"\x89PNG fake", filename="kneading.png", caption="c")
    assert message.photo[-1].file_id == "f"
    (seen,) = server.received
    name, content, mimetype = seen["form"]["photo"]
    assert (name, content, mimetype) == ("kneading.png", b"\x89PNG fake", "image/png")
    assert seen["form"]["caption"][1] == b"c"


async def test_a_slow_answer_times_out(server: Server, transport: AiohttpRequest) -> None:
    server.delay = 1.0
    with pytest.raises(TimedOut):
        await transport.do_request(f"{server.url}/bot1:x/getMe", "POST", read_timeout=0.1)


async def test_a_refused_connection_is_a_network_error(transport: AiohttpRequest) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(NetworkError, match="aiohttp"):
        await transport.do_request(f"http://127.0.0.1:{port}/bot1:x/getMe", "POST")


async def test_an_unopened_transport_says_so() -> None:
    with pytest.raises(RuntimeError, match="not initialized"):
        await AiohttpRequest().do_request("http://127.0.0.1:1/bot1:x/getMe", "POST")


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        pytest.param(
            429,
            {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 3",
                "parameters": {"retry_after": 3},
            },
            RetryAfter,
            id="429",
        ),
        pytest.param(
            403,
            {
                "ok": False,
                "error_code": 403,
                "description": "Forbidden: bot was blocked by the user",
            },
            Forbidden,
            id="403",
        ),
    ],
)
async def test_ptb_reads_telegram_errors_through_it(
    server: Server, transport: AiohttpRequest, status: int, body: dict[str, Any], error: type
) -> None:
    server.replies["sendMessage"] = (status, body)
    bot = Bot("1:x", base_url=f"{server.url}/bot", request=transport)
    with pytest.raises(error):
        await bot.send_message(42, "hi")


async def test_shutdown_closes_and_initialize_reopens(server: Server) -> None:
    request = AiohttpRequest()
    await request.initialize()
    await request.shutdown()
    with pytest.raises(RuntimeError):
        await request.do_request(f"{server.url}/bot1:x/getMe", "POST")
    await request.initialize()
    status, _ = await request.do_request(f"{server.url}/bot1:x/getMe", "POST")
    await request.shutdown()
    assert status == 200
