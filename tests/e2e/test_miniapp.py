"""The Mini App wired into the running bot: served on the web port in polling mode and beside
the webhook in webhook mode, with launch data signed by the bot's own token; nothing of it
when BACKCARE_WEBAPP_URL is unset."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.config import ConfigError
from bot.web.initdata import sign
from tests.conftest import FakeClock, MakeHarness
from tests.fakeapi import FakeBotApi
from tests.helpers import webhook_bot

APP_URL = "https://bot.example.org/app/"
USER = 42


async def fetch(
    url: str, *, method: str = "GET", headers: dict[str, str] | None = None, body: Any = None
) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as session,
        session.request(
            method, url, headers=headers or {}, json=body, allow_redirects=False
        ) as response,
    ):
        return response.status, await response.text()


def auth(token: str, clock: FakeClock, user_id: int = USER) -> dict[str, str]:
    return {"Authorization": "tma " + sign(token, user_id=user_id, auth_date=clock())}


async def test_polling_mode_serves_the_app_on_the_web_port(
    make_harness: MakeHarness, fake: FakeBotApi, clock: FakeClock
) -> None:
    bot = make_harness(webapp_url=APP_URL, web_port=0)
    async with bot.running() as application:
        address = application.runtime.web_address
        assert address is not None and address.startswith("http://127.0.0.1:")
        status, page = await fetch(address)
        assert status == 200 and "<html" in page
        status, _ = await fetch(address + "api/state", headers=auth(fake.token, clock))
        assert status == 200
        status, _ = await fetch(address + "api/state", headers=auth("1:another-bot", clock))
        assert status == 401
    assert application.runtime.web_runner is None
    async with aiohttp.ClientSession() as session:
        try:
            async with session.get(address):
                closed = False
        except aiohttp.ClientConnectionError:
            closed = True
    assert closed, "the Mini App is still served after the bot stopped"


async def test_webhook_mode_serves_the_app_beside_the_webhook(
    fake: FakeBotApi, tmp_path: Path, clock: FakeClock
) -> None:
    async with webhook_bot(fake, tmp_path, clock, webapp_url=APP_URL) as (application, base):
        assert application.runtime.web_runner is None  # no second server
        status, _ = await fetch(base + "/app")
        assert status == 308
        status, page = await fetch(base + "/app/")
        assert status == 200 and "<html" in page
        status, _ = await fetch(base + "/app/api/state", headers=auth(fake.token, clock))
        assert status == 200


async def test_without_the_address_nothing_is_served(
    fake: FakeBotApi, tmp_path: Path, clock: FakeClock
) -> None:
    async with webhook_bot(fake, tmp_path, clock) as (application, base):
        assert application.runtime.web_runner is None
        for path in ("/app", "/app/", "/app/api/state"):
            status, _ = await fetch(base + path, headers=auth(fake.token, clock))
            assert status == 404, path


async def test_a_taken_web_port_stops_the_start_naming_it(make_harness: MakeHarness) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        bot = make_harness(webapp_url=APP_URL, web_port=taken.getsockname()[1])
        with pytest.raises(ConfigError, match="BACKCARE_WEB_PORT"):
            async with bot.running():
                pass
