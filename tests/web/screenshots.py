"""Screenshots of the Mini App's pages (the guided session, progress, the acupoint map) at a
phone's size, in both languages, light and dark:
``python -m tests.web.screenshots docs/miniapp`` (needs Debian's chromium, like the tests)."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestServer

from bot.web import miniapp
from bot.web.initdata import sign
from storage import Caution
from tests.conftest import FakeClock
from tests.web.browser import PHONE, chromium, telegram_stub
from tests.web.server import mini_app

TOKEN = "123456:AAE-screenshots-token_0123456789abcdef"
#: Telegram's own dark theme colours (Telegram Desktop's night mode), as themeParams.
DARK = {
    "bg_color": "#17212b",
    "text_color": "#f5f5f5",
    "hint_color": "#aab2bb",
    "secondary_bg_color": "#232e3c",
    "button_color": "#5288c1",
    "button_text_color": "#ffffff",
}


def fulfiller(body: str) -> Callable[[Any], Awaitable[None]]:
    """A route handler answering with ``body`` as JavaScript."""

    async def fulfill(route: Any) -> None:
        await route.fulfill(body=body, content_type="text/javascript")

    return fulfill


async def shoot(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    made: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        clock = FakeClock()
        mounted = mini_app(Path(tmp), clock, TOKEN)
        store = mounted.store
        server = TestServer(mounted.app, host="127.0.0.1")
        await server.start_server()
        base = str(server.make_url("/app/"))
        async with chromium() as browser:
            for number, (language, scheme) in enumerate(
                [("en", "light"), ("en", "dark"), ("zh", "light"), ("zh", "dark")], start=1
            ):
                user = 100 + number
                store.set_caution(user, Caution.NONE, clock())
                data = sign(TOKEN, user_id=user, auth_date=clock(), language_code=language)
                stub = telegram_stub(data, scheme=scheme, theme=DARK if scheme == "dark" else None)
                context = await browser.new_context(
                    viewport=PHONE,
                    color_scheme=scheme,
                    device_scale_factor=1,
                    reduced_motion="reduce",
                )

                await context.route(miniapp.TELEGRAM_SCRIPT, fulfiller(stub))
                page = await context.new_page()
                await page.clock.install(time=clock() - timedelta(seconds=1))
                await page.clock.pause_at(clock())
                await page.goto(base + "?technique=pressing")
                await page.locator("#start").click()
                await page.locator("#session").wait_for(state="visible")
                await page.clock.run_for(8_000)
                path = folder / f"session-{language}-{scheme}.png"
                await page.screenshot(path=str(path), full_page=True)
                made.append(path)
                # The progress page of someone with a fortnight of check-ins.
                for day in range(14):
                    when = clock() - timedelta(days=13 - day)
                    store.check_in(user, 6 - day // 3 + day % 2, when)
                await page.goto(base + "progress.html")
                await page.locator("#progress").wait_for(state="visible")
                path = folder / f"progress-{language}-{scheme}.png"
                await page.screenshot(path=str(path), full_page=True)
                made.append(path)
                # The acupoint map, zoomed in once.
                await page.goto(base + "map.html")
                await page.locator("#map").wait_for(state="visible")
                await page.wait_for_function(
                    "document.getElementById('map-picture').naturalWidth > 0"
                )
                await page.locator("#zoom-in").click()
                path = folder / f"map-{language}-{scheme}.png"
                await page.screenshot(path=str(path), full_page=True)
                made.append(path)
                await context.close()
        await server.close()
        store.close()
    return made


if __name__ == "__main__":
    for made in asyncio.run(shoot(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/miniapp"))):
        print(made)
