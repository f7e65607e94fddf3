"""Run the bot until it is told to stop: SIGINT or SIGTERM, or damage found in its database.

Both modes run the same way (polling through ``bot.app.running``, webhook through
``bot.web.webhook.serve``), in one task that a signal or ``Runtime.stop_on_damage`` cancels,
so the bot always stops through the same clean path (jobs finish, sessions are held, the
database is closed). PTB's ``Application.stop_running`` stops the event loop itself, which only
suits ``run_polling``; this works for both.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Coroutine
from typing import Any

from bot.app import running
from bot.config import Settings
from bot.context import BotApplication
from bot.web.webhook import serve


def run(application: BotApplication, settings: Settings) -> None:
    """Run ``application`` in webhook mode when a webhook URL is set, else with long
    polling, until a signal or ``Runtime.stop_on_damage``; returns once it has stopped
    cleanly (``application.runtime.damage`` says whether damage stopped it)."""
    asyncio.run(until_stopped(application, _serve(application, settings)))


async def _serve(application: BotApplication, settings: Settings) -> None:
    if settings.webhook_url:
        await serve(application, settings)
        return
    async with running(application, polling=True):
        await asyncio.Event().wait()  # until cancelled


async def until_stopped(application: BotApplication, main: Coroutine[Any, Any, None]) -> None:
    """Run ``main`` until it ends, or SIGINT, SIGTERM or ``application.runtime.stop()``
    cancels it."""
    loop = asyncio.get_running_loop()
    task = asyncio.create_task(main)

    def cancel() -> None:
        # One cancel only: a second signal must not interrupt the clean stop (systemd's
        # TimeoutStopSec and SIGKILL remain for a stop that hangs).
        if not task.cancelling():
            task.cancel()

    application.runtime.cancel = cancel
    for each in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(each, cancel)
    try:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    finally:
        for each in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(each)
