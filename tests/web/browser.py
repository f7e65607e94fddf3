"""Headless Chromium for the Mini App's page tests: Debian's browser driven by Playwright
(never Playwright's own downloads), and a small stand-in for ``window.Telegram.WebApp``."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

#: Debian's chromium package (`apt-get install -y chromium`).
CHROMIUM = Path(os.environ.get("BACKCARE_CHROMIUM", "/usr/bin/chromium"))
#: CI sets this: there a missing browser fails the tests instead of skipping them.
REQUIRED = os.environ.get("BACKCARE_BROWSER_REQUIRED") == "1"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: A phone's screen.
PHONE = {"width": 390, "height": 844}


def need_browser() -> None:
    """Skip (fail where REQUIRED) when Playwright or the browser is not there."""
    missing = None
    try:
        import playwright  # noqa: F401
    except ImportError:
        missing = "playwright is not installed (make test installs it)"
    if missing is None and not CHROMIUM.exists():
        missing = f"no {CHROMIUM}: install it with `apt-get install -y chromium`"
    if missing is not None:
        message = f"browser tests did not run: {missing}"
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)


@asynccontextmanager
async def chromium() -> AsyncIterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (skipped, or failed where
    REQUIRED, without it)."""
    need_browser()
    from playwright.async_api import async_playwright

    async with async_playwright() as driver:
        browser = await driver.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            await browser.close()


def telegram_stub(
    init_data: str,
    *,
    scheme: str = "light",
    theme: dict[str, str] | None = None,
    version: str = "8.0",
) -> str:
    """JavaScript standing in for telegram-web-app.js: the launch data, the theme, and the
    calls the page makes, recorded in ``window.__tg.calls``."""
    settings: dict[str, Any] = {
        "initData": init_data,
        "colorScheme": scheme,
        "themeParams": theme or {},
        "version": version,
    }
    return (
        "window.__tg = {calls: []};\n"
        "(function (s) {\n"
        "  function record(name) {\n"
        "    return function () {\n"
        "      window.__tg.calls.push([name].concat([].slice.call(arguments)));\n"
        "    };\n"
        "  }\n"
        "  function atLeast(v) {\n"
        "    var a = s.version.split('.').map(Number), b = String(v).split('.').map(Number);\n"
        "    for (var i = 0; i < Math.max(a.length, b.length); i++) {\n"
        "      if ((a[i] || 0) !== (b[i] || 0)) return (a[i] || 0) > (b[i] || 0);\n"
        "    }\n"
        "    return true;\n"
        "  }\n"
        "  window.Telegram = {WebApp: {\n"
        "    initData: s.initData, initDataUnsafe: {}, version: s.version, platform: 'test',\n"
        "    colorScheme: s.colorScheme, themeParams: s.themeParams, isVersionAtLeast: atLeast,\n"
        "    ready: record('ready'), expand: record('expand'), close: record('close'),\n"
        "    onEvent: record('onEvent'),\n"
        "    disableVerticalSwipes: record('disableVerticalSwipes'),\n"
        "    enableVerticalSwipes: record('enableVerticalSwipes'),\n"
        "    HapticFeedback: {impactOccurred: record('impactOccurred'),\n"
        "                     notificationOccurred: record('notificationOccurred')}\n"
        "  }};\n"
        f"}})({json.dumps(settings)});\n"
    )
