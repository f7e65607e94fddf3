"""End to end in a real browser: the bot runs against the fake Bot API with the Mini App on;
/session offers the web_app button, whose address (mapped to the bot's own web port, as the
reverse proxy does) is opened in headless Chromium with launch data signed by the bot's token
and a stand-in for Telegram's script. A session is started, paused, skipped and pain-stopped
on the page; the rows the bot keeps and the chat (the warning signs arrive) are checked."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from bot.render import pages as render_pages
from bot.web import miniapp
from bot.web.initdata import sign
from content import Content
from storage.rules.safety import Hold
from storage.rules.sessions import SessionState
from tests.conftest import Harness, MakeHarness
from tests.fakeapi import FakeBotApi
from tests.helpers import web_apps
from tests.web.browser import PHONE, chromium, telegram_stub

pytestmark = pytest.mark.slow

APP_URL = "https://bot.example.org/app/"
#: The page's clock ticks every 200 ms (session.js): a step further, it has seen the instant.
TICK_MS = 250


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    async with chromium() as launched:
        yield launched


async def open_button(browser: Any, bot: Harness, url: str, token: str) -> tuple[Any, list[str]]:
    """Open a web_app button's ``url`` as Telegram would: the public address mapped to the
    bot's web port (the reverse proxy's part), launch data signed with the bot's token."""
    assert bot.application is not None
    local = bot.application.runtime.web_address
    assert local is not None and url.startswith(APP_URL)
    address = local + url.removeprefix(APP_URL)
    stub = telegram_stub(sign(token, user_id=bot.chat_id, auth_date=bot.clock()))
    context = await browser.new_context(viewport=PHONE)
    page = await context.new_page()
    elsewhere: list[str] = []

    async def route(request_route: Any) -> None:
        requested = request_route.request.url
        if requested == miniapp.TELEGRAM_SCRIPT:
            await request_route.fulfill(body=stub, content_type="text/javascript")
        elif requested.startswith(local):
            await request_route.continue_()
        else:
            elsewhere.append(requested)
            await request_route.abort()

    await context.route("**/*", route)
    # The page's clock stands still but for what the test moves, as the bot's does.
    await page.clock.install(time=bot.clock() - timedelta(seconds=1))
    await page.clock.pause_at(bot.clock())
    await page.goto(address)
    return page, elsewhere


async def test_the_button_opens_a_session_the_bot_keeps(
    make_harness: MakeHarness, fake: FakeBotApi, browser: Any, content: Content
) -> None:
    bot = make_harness(webapp_url=APP_URL, web_port=0)
    async with bot.running():
        await fake.wait_call("setMyCommands")
        bot.pass_caution_check()
        offer = await bot.say("/session kneading")
        (url,) = web_apps(offer.params)
        page, elsewhere = await open_button(browser, bot, url, fake.token)

        async def advance(seconds: float) -> None:
            bot.clock.advance(seconds=seconds)
            await page.clock.run_for(int(seconds * 1000) + TICK_MS)

        async def text(selector: str) -> str:
            found: str = await page.locator(selector).inner_text()
            return found

        await page.locator("#start").click()
        await page.locator("#session").wait_for(state="visible")
        (row,) = bot.store.sessions(bot.chat_id)
        assert (row.state, row.message_id, row.technique_id) == (
            SessionState.RUNNING,
            None,
            "kneading",
        )
        assert await text("#step-of") == "Step 1 of 5"

        await advance(10)
        await page.locator("#pause").click()
        await page.locator("#paused-note").wait_for(state="visible")
        assert bot.store.session(row.id).state is SessionState.PAUSED  # type: ignore[union-attr]
        await advance(30)
        await page.locator("#resume").click()
        await page.locator("#pause").wait_for(state="visible")
        await page.locator("#skip").click()
        await page.locator("#step-of").filter(has_text="Step 2 of 5").wait_for()
        stored = bot.store.session(row.id)
        assert stored is not None and stored.state is SessionState.RUNNING
        assert (stored.paused_seconds, stored.skipped_seconds) == (30, 20)

        before = len(bot.calls)
        await page.locator("#pain").click()
        await page.locator("#end").wait_for(state="visible")
        stored = bot.store.session(row.id)
        assert stored is not None and stored.state is SessionState.PAIN_STOP
        assert Hold.PAIN_STOP in bot.store.massage(bot.chat_id, bot.clock()).holds
        # The warning signs arrive in the chat, as after the pain stop in the chat.
        urgent = render_pages.page(content, "urgent")
        (sent,) = bot.since(before, "sendMessage")
        assert (sent.params["chat_id"], sent.params["text"]) == (bot.chat_id, urgent.text)
        assert elsewhere == []

        # The chat knows: no more massage today, and no app is offered.
        held = await bot.say("/session kneading")
        assert content.message("massage_held_pain_stop") in held.params["text"]
        assert web_apps(held.params) == []
