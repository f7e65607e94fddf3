"""The guided-session page in headless Chromium against the Mini App's real server: launch
data signed as Telegram signs it, a stand-in for Telegram's script, the page's clock and the
server's moved together; pause, skip, the pain stop, the end and how it felt, and the rows
the server wrote. Nothing is loaded from anywhere but the server and the stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from bot.render.common import Reply
from bot.web import miniapp
from bot.web.initdata import sign
from content import pictures, webapp
from content.markup import plain
from storage import Caution, Store
from storage.rules.safety import Hold
from storage.rules.sessions import Feeling, SessionState
from tests.conftest import START, FakeClock, contents
from tests.web.browser import PHONE, chromium, telegram_stub
from tests.web.server import mini_app

TOKEN = "123456:AAE-browser-test-token_0123456789abc"
USER = 42

pytestmark = pytest.mark.slow
#: The page's clock ticks every 200 ms (session.js).
TICK_MS = 250


@dataclass
class Served:
    url: str
    store: Store
    clock: FakeClock
    sent: list[tuple[int, Reply]] = field(default_factory=list)
    reports: list[tuple[int, str, int]] = field(default_factory=list)

    def launch(self, language: str = "en") -> str:
        return sign(TOKEN, user_id=USER, auth_date=self.clock(), language_code=language)


@pytest.fixture
async def served(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Served]:
    mounted = mini_app(tmp_path, clock, TOKEN)
    server = TestServer(mounted.app, host="127.0.0.1")
    await server.start_server()
    try:
        url = str(server.make_url("/app/"))
        yield Served(url, mounted.store, clock, mounted.sent, mounted.reports)
    finally:
        await server.close()
        mounted.store.close()


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    async with chromium() as launched:
        yield launched


@dataclass
class Page:
    page: Any
    served: Served
    #: Requests the page tried to make anywhere but the server (refused).
    elsewhere: list[str]

    async def advance(self, seconds: float) -> None:
        """Move the server's clock, then the page's, by ``seconds``: the page's a tick
        further, so the page's last tick has seen the instant the server is at."""
        self.served.clock.advance(seconds=seconds)
        await self.page.clock.run_for(int(seconds * 1000) + TICK_MS)

    async def text(self, selector: str) -> str:
        value: str = await self.page.locator(selector).inner_text()
        return value

    async def calls(self) -> list[list[Any]]:
        found: list[list[Any]] = await self.page.evaluate("window.__tg ? window.__tg.calls : []")
        return found


async def open_page(
    browser: Any,
    served: Served,
    query: str = "?technique=kneading",
    *,
    language: str = "en",
    telegram: bool = True,
    hash_data: bool = False,
    scheme: str = "light",
    theme: dict[str, str] | None = None,
) -> Page:
    context = await browser.new_context(viewport=PHONE, color_scheme=scheme)
    page = await context.new_page()
    elsewhere: list[str] = []
    stub = telegram_stub(served.launch(language), scheme=scheme, theme=theme)

    async def route(request_route: Any) -> None:
        url = request_route.request.url
        if url == miniapp.TELEGRAM_SCRIPT and telegram:
            await request_route.fulfill(body=stub, content_type="text/javascript")
        elif url.startswith(served.url):
            await request_route.continue_()
        else:
            elsewhere.append(url)
            await request_route.abort()

    await context.route("**/*", route)
    # The page's clock stands still but for what the test moves, as the server's does.
    await page.clock.install(time=served.clock() - timedelta(seconds=1))
    await page.clock.pause_at(served.clock())
    if hash_data:  # as `backcare-bot chat` prints it
        technique = query.removeprefix("?technique=") or None
        address = miniapp.launch_url(
            served.url, TOKEN, USER, served.clock(), technique=technique, language=language
        )
    else:
        address = served.url + query

    await page.goto(address)
    return Page(page, served, elsewhere)


def en(key: str, **values: str) -> str:
    return plain(contents()["en"].message(key, **values))


async def test_a_session_paused_skipped_and_pain_stopped(browser: Any, served: Served) -> None:
    served.store.set_caution(USER, Caution.NONE, served.clock())
    app = await open_page(browser, served)
    page = app.page
    await page.get_by_role(
        "button", name=plain(contents()["en"].buttons["session_start"])[2:]
    ).count()
    await page.locator("#start").click()
    await page.locator("#session").wait_for(state="visible")
    kneading = contents()["en"].technique("kneading")
    assert kneading is not None
    assert await app.text("#step-of") == "Step 1 of 5"
    assert await app.text("#step-text") == plain(kneading.steps[0])
    assert await app.text("#clock") == "0:30"
    (row,) = served.store.sessions(USER)
    assert (row.state, row.message_id, row.technique_id) == (SessionState.RUNNING, None, "kneading")

    await app.advance(10)
    assert await app.text("#clock") == "0:20"
    await page.locator("#pause").click()
    await page.locator("#paused-note").wait_for(state="visible")
    assert served.store.session(row.id).state is SessionState.PAUSED  # type: ignore[union-attr]
    await app.advance(60)
    assert await app.text("#clock") == "0:20"  # a pause stops the clock

    await page.locator("#resume").click()
    await page.locator("#pause").wait_for(state="visible")
    await page.locator("#skip").click()
    await page.locator("#step-of").filter(has_text="Step 2 of 5").wait_for()
    stored = served.store.session(row.id)
    assert stored is not None and stored.state is SessionState.RUNNING
    assert (stored.paused_seconds, stored.skipped_seconds) == (60, 20)
    assert await app.text("#clock") == "0:15"
    await app.advance(16)  # the next step begins on the device's clock
    assert await app.text("#step-of") == "Step 3 of 5"

    await page.locator("#pain").click()
    await page.locator("#end").wait_for(state="visible")
    assert await app.text("#end-text") == en("session_pain_stop")
    assert await page.locator("#urgent").is_visible()
    assert await app.text("#urgent-text") == plain(contents()["en"].pages["urgent"]).strip()
    stored = served.store.session(row.id)
    assert stored is not None and stored.state is SessionState.PAIN_STOP
    assert Hold.PAIN_STOP in served.store.massage(USER, served.clock()).holds
    assert [chat for chat, _ in served.sent] == [USER]

    calls = [call[0] for call in await app.calls()]
    assert {"ready", "expand", "disableVerticalSwipes", "enableVerticalSwipes"} <= set(calls)
    assert calls.count("impactOccurred") == 2  # one light tap at each step change
    assert ["notificationOccurred", "warning"] in await app.calls()
    assert app.elsewhere == []


async def test_to_the_end_and_how_it_felt(browser: Any, served: Served) -> None:
    served.store.set_caution(USER, Caution.NONE, served.clock())
    app = await open_page(browser, served, "?technique=grasping")
    page = app.page
    await page.locator("#start").click()
    await page.locator("#session").wait_for(state="visible")
    grasping = contents()["en"].technique("grasping")
    assert grasping is not None
    await app.advance(sum(grasping.timings))
    await page.locator("#feelings").wait_for(state="visible")
    assert await app.text("#end-text") == en("session_done", technique=grasping.name)
    await page.locator("[data-feeling=worse]").click()
    await page.locator("#felt").wait_for(state="visible")
    assert await app.text("#felt") == en("session_felt_worse")
    assert await page.locator("#urgent").is_visible()
    (row,) = served.store.sessions(USER)
    assert (row.state, row.feeling) == (SessionState.DONE, Feeling.WORSE)
    assert served.store.massage(USER, served.clock()).holds == (Hold.WORSE,)


async def test_a_held_person_sees_why_and_the_signs(browser: Any, served: Served) -> None:
    served.store.set_caution(USER, Caution.NONE, served.clock())
    served.store.report_flare(USER, served.clock())
    app = await open_page(browser, served)
    await app.page.locator("#held").wait_for(state="visible")
    assert en("massage_held_flare") in await app.text("#held-text")
    assert await app.page.locator("#urgent").is_visible()
    assert served.store.sessions(USER) == []


async def test_chinese_dark_without_telegrams_script(browser: Any, served: Served) -> None:
    """Chat mode in a desktop browser: no Telegram script, the launch data in the address."""
    served.store.set_caution(USER, Caution.NONE, served.clock())
    app = await open_page(
        browser,
        served,
        "?technique=pressing",
        language="zh",
        telegram=False,
        hash_data=True,
        scheme="dark",
    )
    page = app.page
    await page.locator("#ready").wait_for(state="visible")
    zh = contents()["zh"]
    assert await page.locator("html").get_attribute("lang") == "zh-Hans"
    await page.locator("#start").click()
    await page.locator("#session").wait_for(state="visible")
    assert await app.text("#pause") == plain(zh.buttons["session_pause"])
    assert await app.text("#step-of") == "第 1 步，共 5 步"
    sizes = await page.eval_on_selector_all(
        "button:visible", "els => els.map(e => [e.offsetWidth, e.offsetHeight])"
    )
    assert sizes and all(w >= 44 and h >= 44 for w, h in sizes)
    assert app.elsewhere == [miniapp.TELEGRAM_SCRIPT]  # refused, and the page works anyway


async def test_without_launch_data_the_page_says_to_open_it_in_telegram(
    browser: Any, served: Served
) -> None:
    app = await open_page(browser, served, telegram=False)
    await app.page.locator("#problem").wait_for(state="visible")
    assert await app.text("#problem-text") == webapp.load("en")["open_in_telegram"]
    assert served.store.sessions(USER) == []


#: Each visible text's colour against the background it is drawn on: WCAG's contrast ratio.
CONTRAST = """() => {
  function rgb(value) {
    const m = value.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(",").map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  }
  function luminance(c) {
    const f = (v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  }
  function background(element) {
    for (let e = element; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) return c;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  }
  const found = [];
  document.querySelectorAll("h1, h2, p, button, span, li, label").forEach((e) => {
    if (!e.offsetParent || !e.textContent.trim()) return;
    const fg = luminance(rgb(getComputedStyle(e).color)), bg = luminance(background(e));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    found.push([e.id || e.className || e.tagName, Math.round(ratio * 100) / 100]);
  });
  return found;
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_text_contrast_is_wcag_aa(browser: Any, served: Served, scheme: str) -> None:
    served.store.set_caution(USER, Caution.NONE, served.clock())
    app = await open_page(browser, served, telegram=False, hash_data=True, scheme=scheme)
    await app.page.locator("#start").click()
    await app.page.locator("#session").wait_for(state="visible")
    ratios = await app.page.evaluate(CONTRAST)
    assert len(ratios) > 8
    assert [found for found in ratios if found[1] < 4.5] == []


#: Telegram's own themes (its apps' defaults) and one of a user's: their hint and button
#: colours do not all reach 4.5:1 (white on #2481cc is 4.2, on #8774e1 3.7).
TELEGRAM_THEMES = {
    "light": {
        "bg_color": "#ffffff",
        "text_color": "#000000",
        "hint_color": "#999999",
        "button_color": "#2481cc",
        "button_text_color": "#ffffff",
        "secondary_bg_color": "#efeff3",
    },
    "dark": {
        "bg_color": "#212121",
        "text_color": "#ffffff",
        "hint_color": "#aaaaaa",
        "button_color": "#8774e1",
        "button_text_color": "#ffffff",
        "secondary_bg_color": "#181818",
    },
    "night blue": {
        "bg_color": "#17212b",
        "text_color": "#f5f5f5",
        "hint_color": "#708499",
        "button_color": "#5288c1",
        "button_text_color": "#ffffff",
        "secondary_bg_color": "#232e3c",
    },
}


@pytest.mark.parametrize("name", list(TELEGRAM_THEMES))
async def test_telegram_themes_keep_text_contrast_wcag_aa(
    browser: Any, served: Served, name: str
) -> None:
    """A theme's colours are taken only in pairs that reach AA; the page's own stay for the
    rest, so the text passes whatever theme the user's Telegram has."""
    served.store.set_caution(USER, Caution.NONE, served.clock())
    theme = TELEGRAM_THEMES[name]
    scheme = "light" if name == "light" else "dark"
    app = await open_page(browser, served, scheme=scheme, theme=theme)
    await app.page.locator("#start").click()
    await app.page.locator("#session").wait_for(state="visible")
    ratios = await app.page.evaluate(CONTRAST)
    assert len(ratios) > 8
    assert [found for found in ratios if found[1] < 4.5] == []
    # What passes is Telegram's: its background and text are the page's.
    background = await app.page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb({}, {}, {})".format(*bytes.fromhex(theme["bg_color"][1:]))


async def test_the_progress_page(browser: Any, served: Served) -> None:
    for day, score in ((-40, 7), (-3, 5), (-1, 4), (0, 3)):
        served.clock.set(START + timedelta(days=day))
        served.store.check_in(USER, score, served.clock())
    served.clock.set(START)
    served.store.report_flare(USER, served.clock())
    app = await open_page(browser, served, "progress.html")
    page = app.page
    await page.locator("#progress").wait_for(state="visible")
    assert await page.locator("#chart circle").count() == 3
    # Dates as the charts write them ("26 Nov"), never 11/26, which reads as a month 26.
    assert "26 Nov: 3" in (await page.locator("#chart").get_attribute("aria-label") or "")
    assert "26 Nov" in (await page.locator("#chart").text_content() or "")
    assert en("massage_held_flare") in await app.text("#safety")
    assert await page.locator("#urgent").is_visible()
    await page.locator("[data-days='90']").click()
    await page.locator("#chart circle").nth(3).wait_for()
    assert await page.locator("[data-days='90']").get_attribute("aria-pressed") == "true"
    await page.locator("#report").click()
    await page.locator("#report-sent").wait_for(state="visible")
    assert served.reports == [(USER, "en", 90)]
    assert app.elsewhere == []


@pytest.mark.parametrize(("language", "scheme"), [("en", "light"), ("zh", "dark")])
async def test_the_acupoint_map(browser: Any, served: Served, language: str, scheme: str) -> None:
    app = await open_page(browser, served, "map.html", language=language, scheme=scheme)
    page = app.page
    await page.locator("#map").wait_for(state="visible")
    labels = pictures.load_labels(language)
    assert await app.text("#map-title") == labels["titles.overview"]
    picture = page.locator("#map-picture")
    await page.wait_for_function(
        "document.getElementById('map-picture').complete"
        " && document.getElementById('map-picture').naturalWidth > 0"
    )
    assert await picture.get_attribute("alt") == webapp.load(language)["map_picture"]
    # The points never to press, apart, each with its warning; the others listed beside.
    warned = await page.locator("#dont-press li").all_inner_texts()
    assert len(warned) == 2
    for text, (code, warning) in zip(warned, pictures.dont_press(language).items(), strict=True):
        assert labels[f"points.{code}"] in text and warning in text
    listed = "\n".join(await page.locator("#points li").all_inner_texts())
    assert labels["points.bl23"] in listed and labels["points.gb30"] not in listed
    assert await page.locator("#urgent").is_visible()

    # Zoomable: wider at each step, up to three times; then the button says no more.
    width = await picture.evaluate("e => e.getBoundingClientRect().width")
    assert await page.locator("#zoom-out").is_disabled()
    for _ in range(3):
        await page.locator("#zoom-in").click()
    assert await picture.evaluate("e => e.getBoundingClientRect().width") == pytest.approx(
        3 * width, rel=0.02
    )
    assert await page.locator("#zoom-in").is_disabled()
    assert "300" in await app.text("#zoom-level")
    await page.locator("#zoom-out").click()
    assert "200" in await app.text("#zoom-level")

    sizes = await page.eval_on_selector_all(
        "button:visible", "els => els.map(e => [e.offsetWidth, e.offsetHeight])"
    )
    assert sizes and all(w >= 44 and h >= 44 for w, h in sizes)
    ratios = await page.evaluate(CONTRAST)
    assert [found for found in ratios if found[1] < 4.5] == []
    assert app.elsewhere == []
    assert served.store.sessions(USER) == []
