"""The Mini App wired into the running bot: served on the web port in polling mode and beside
the webhook in webhook mode, with launch data signed by the bot's own token; nothing of it
when BACKCARE_WEBAPP_URL is unset."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import aiohttp
import pytest

from bot import callbacks
from bot.config import ConfigError
from bot.web.initdata import sign
from content import Content
from storage.rules.sessions import SessionState
from tests.conftest import FakeClock, Harness, MakeHarness
from tests.fakeapi import FakeBotApi
from tests.helpers import buttons, check_in, web_apps, webhook_bot

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


# In the chat ------------------------------------------------------------------------------


@pytest.fixture
async def with_app(make_harness: MakeHarness, fake: FakeBotApi) -> AsyncIterator[Harness]:
    bot = make_harness(webapp_url=APP_URL, web_port=0)
    async with bot.running():
        await fake.wait_call("setMyCommands")
        yield bot
    assert not [c for c in fake.calls if c.error], "the Bot API refused a request"


async def test_session_offers_the_app_with_the_chat_one_tap_away(
    with_app: Harness, content: Content
) -> None:
    with_app.pass_caution_check()
    offer = await with_app.say("/session kneading")
    kneading = content.technique("kneading")
    assert kneading is not None
    assert offer.params["text"] == content.message("session_offer", technique=kneading.name)
    assert web_apps(offer.params) == [APP_URL + "?technique=kneading"]
    assert buttons(offer.params) == [callbacks.session_in_chat("kneading")]
    assert with_app.store.active_session(with_app.chat_id) is None  # nothing started yet

    start = len(with_app.calls)
    await with_app.press(offer.result["message_id"], callbacks.session_in_chat("kneading"))
    (sent,) = with_app.since(start, "sendMessage")
    session = with_app.store.active_session(with_app.chat_id)
    assert session is not None and session.message_id == sent.result["message_id"]
    assert web_apps(sent.params) == []


async def test_start_under_a_card_and_the_caution_answer_offer_the_app(
    with_app: Harness, content: Content
) -> None:
    check = await with_app.say("/session pressing")  # someone new: the caution check first
    assert check.params["text"] == content.message("caution_check")
    start = len(with_app.calls)
    target = callbacks.caution_session("pressing")
    await with_app.press(
        check.result["message_id"], callbacks.caution(callbacks.CAUTION_NONE, target)
    )
    (offer,) = [c for c in with_app.since(start, "sendMessage") if web_apps(c.params)]
    assert web_apps(offer.params) == [APP_URL + "?technique=pressing"]

    start = len(with_app.calls)
    await with_app.press(offer.result["message_id"], callbacks.session_start("grasping"))
    (offer,) = with_app.since(start, "sendMessage")
    assert web_apps(offer.params) == [APP_URL + "?technique=grasping"]
    assert with_app.store.active_session(with_app.chat_id) is None


async def test_a_held_person_is_offered_no_app(with_app: Harness, content: Content) -> None:
    with_app.pass_caution_check()
    with_app.store.report_flare(with_app.chat_id, with_app.clock())
    reply = await with_app.say("/session kneading")
    assert web_apps(reply.params) == []
    assert content.message("massage_held_flare") in reply.params["text"]


async def test_session_alone_progress_and_technique_offer_their_pages(with_app: Harness) -> None:
    pick = await with_app.say("/session")
    assert web_apps(pick.params) == [APP_URL]
    techniques = await with_app.say("/technique")
    assert techniques.method == "sendPhoto"
    assert web_apps(techniques.params) == [APP_URL + "map.html"]
    progress = await with_app.say("/progress")
    assert web_apps(progress.params) == [APP_URL + "progress.html"]
    await check_in(with_app, 4)
    chart = await with_app.say("/progress")
    assert chart.method == "sendPhoto"
    assert web_apps(chart.params) == [APP_URL + "progress.html"]


async def test_the_menu_button_opens_the_app_set_once(
    make_harness: MakeHarness, fake: FakeBotApi, content: Content
) -> None:
    bot = make_harness(webapp_url=APP_URL, web_port=0)
    async with bot.running():
        await fake.wait_call("setChatMenuButton")
    assert fake.api.menu_button == {
        "type": "web_app",
        "text": content.buttons["menu_app"],
        "web_app": {"url": APP_URL},
    }
    start = len(fake.calls)
    async with bot.running():
        await fake.wait_call("getChatMenuButton", count=2)
    assert bot.since(start, "setChatMenuButton") == []  # already so: not set again


async def test_without_the_address_the_bot_says_nothing_of_an_app(
    harness: Harness, fake: FakeBotApi
) -> None:
    harness.pass_caution_check()
    await harness.say("/session")
    await harness.say("/progress")
    await harness.say("/technique")
    await harness.say("/session kneading")
    assert harness.store.active_session(harness.chat_id) is not None  # in the chat at once
    assert not [c for c in fake.calls if web_apps(c.params)]
    assert not [c for c in fake.calls if c.method == "setChatMenuButton"]
    assert harness.application is not None and harness.application.runtime.web_address is None


async def test_turned_off_an_apps_menu_button_lists_the_commands_again(
    make_harness: MakeHarness, fake: FakeBotApi
) -> None:
    fake.api.menu_button = {"type": "web_app", "text": "Old", "web_app": {"url": APP_URL}}
    bot = make_harness()
    async with bot.running():
        await fake.wait_call("setChatMenuButton")
    assert fake.api.menu_button == {"type": "commands"}


async def test_the_menu_button_is_best_effort(
    make_harness: MakeHarness, fake: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    fake.refuse["getChatMenuButton"] = "400"
    bot = make_harness(webapp_url=APP_URL, web_port=0)
    async with bot.running():
        reply = await bot.say("/start")
    assert reply.method == "sendMessage"
    assert "getChatMenuButton failed" in caplog.text


# Bad launch data, against the bot's own server ---------------------------------------------


def pasted(init_data: str, user_id: int) -> str:
    """``init_data`` with another user's id pasted in, its hash kept."""
    fields = dict(parse_qsl(init_data))
    user = json.loads(fields["user"])
    fields["user"] = json.dumps({**user, "id": user_id}, separators=(",", ":"))
    return urlencode(fields)


def tampered_hash(init_data: str) -> str:
    fields = dict(parse_qsl(init_data))
    fields["hash"] = ("0" if fields["hash"][0] != "0" else "1") + fields["hash"][1:]
    return urlencode(fields)


BAD_LAUNCH_DATA = {
    "missing": lambda token, now: None,
    "another-users-id": lambda token, now: pasted(sign(token, user_id=USER, auth_date=now), 43),
    "old-auth-date": lambda token, now: sign(
        token, user_id=USER, auth_date=now - timedelta(hours=24, seconds=1)
    ),
    "another-bots-token": lambda token, now: sign(
        "654321:AAE-another-bot-token", user_id=USER, auth_date=now
    ),
    "wrong-hash": lambda token, now: tampered_hash(sign(token, user_id=USER, auth_date=now)),
}


@pytest.mark.parametrize("bad", sorted(BAD_LAUNCH_DATA))
async def test_bad_launch_data_is_refused_and_nothing_stored(
    with_app: Harness, fake: FakeBotApi, bad: str
) -> None:
    with_app.pass_caution_check(USER)
    assert with_app.application is not None
    address = with_app.application.runtime.web_address
    assert address is not None
    data = BAD_LAUNCH_DATA[bad](fake.token, with_app.clock())
    headers = {} if data is None else {"Authorization": f"tma {data}"}
    before = len(fake.calls)
    for method, path, body in (
        ("GET", "api/state?technique=kneading", None),
        ("POST", "api/sessions", {"technique": "kneading"}),
        ("GET", "api/progress", None),
        ("POST", "api/report", {"days": 30}),
    ):
        status, _ = await fetch(address + path, method=method, headers=headers, body=body)
        assert status == 401, (method, path)
    assert with_app.store.sessions(USER) == [] and with_app.store.sessions(43) == []
    assert with_app.since(before) == []  # nothing sent into any chat


async def test_another_users_session_is_out_of_reach(with_app: Harness, fake: FakeBotApi) -> None:
    """A request replayed for another user's session, with valid launch data of one's own."""
    with_app.pass_caution_check(USER)
    assert with_app.application is not None
    address = with_app.application.runtime.web_address
    assert address is not None
    status, body = await fetch(
        address + "api/sessions",
        method="POST",
        headers=auth(fake.token, with_app.clock),
        body={"technique": "kneading"},
    )
    assert status == 201
    session_id = json.loads(body)["session"]["id"]  # the owner's
    other = auth(fake.token, with_app.clock, user_id=43)
    for action in ("pause", "skip", "stop", "pain"):
        status, _ = await fetch(
            address + f"api/sessions/{session_id}/{action}",
            method="POST",
            headers=other,
        )
        assert status == 404, action
    (row,) = with_app.store.sessions(USER)
    assert row.state is SessionState.RUNNING
    assert with_app.store.massage(USER, with_app.clock()).permit is not None  # no pain stop
