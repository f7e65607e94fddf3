"""Run the bot until it is told to stop: SIGINT or SIGTERM, or damage found in its database.

Both modes run the same way (polling through ``bot.app.running``, webhook through
``bot.web.webhook.serve``), in one task that a signal or ``stop_on_damage`` cancels, so the
bot always stops through the same clean path (jobs finish, sessions are held, the database
is closed). PTB's ``Application.stop_running`` stops the event loop itself, which only
suits ``run_polling``; this works for both.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sqlite3
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from telegram.ext import Application

from bot.config import Settings
from storage import is_damaged

if TYPE_CHECKING:
    from bot.app import BotApplication

logger = logging.getLogger(__name__)

#: Any application: the error handler's context types its own loosely.
AnyApplication = Application[Any, Any, Any, Any, Any, Any]
#: bot_data: what cancels the running bot (set by ``until_stopped``).
STOP_KEY = "stop"
#: bot_data: the first error that showed the database damaged while running.
DAMAGE_KEY = "damage"


def run(application: BotApplication, settings: Settings) -> None:
    """Run ``application`` in webhook mode when a webhook URL is set, else with long
    polling, until a signal or ``stop_on_damage``; returns once it has stopped cleanly."""
    asyncio.run(until_stopped(application, _serve(application, settings)))


async def _serve(application: BotApplication, settings: Settings) -> None:
    # Imported here: bot.app imports the handlers, and the error handler imports this module.
    from bot.app import running
    from bot.web.webhook import serve

    if settings.webhook_url:
        await serve(application, settings)
        return
    async with running(application, polling=True):
        await asyncio.Event().wait()  # until cancelled


async def until_stopped(application: BotApplication, main: Coroutine[Any, Any, None]) -> None:
    """Run ``main`` until it ends, or SIGINT, SIGTERM or ``stop(application)`` cancels it."""
    loop = asyncio.get_running_loop()
    task = asyncio.create_task(main)

    def cancel() -> None:
        # One cancel only: a second signal must not interrupt the clean stop (systemd's
        # TimeoutStopSec and SIGKILL remain for a stop that hangs).
        if not task.cancelling():
            task.cancel()

    application.bot_data[STOP_KEY] = cancel
    for each in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(each, cancel)
    try:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    finally:
        for each in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(each)


def stop(application: AnyApplication) -> None:
    """Stop the bot cleanly, as SIGTERM does (nothing when it was not run by ``run``)."""
    cancel: Callable[[], None] | None = application.bot_data.get(STOP_KEY)
    if cancel is not None:
        cancel()


def stop_on_damage(application: AnyApplication, error: BaseException) -> bool:
    """If ``error`` says the database is damaged (SQLITE_CORRUPT, SQLITE_NOTADB), remember
    it and stop the bot: every job and reply would fail on it from now on, and restarting
    cannot mend it (``backcare-bot run`` then exits 3). Returns whether it did."""
    if not is_damaged(error):
        return False
    if DAMAGE_KEY not in application.bot_data:
        application.bot_data[DAMAGE_KEY] = error
        logger.debug("the database is damaged; stopping")
        stop(application)
    return True


def damage(application: AnyApplication) -> sqlite3.DatabaseError | None:
    """The error that showed the database damaged while the bot ran, if one did."""
    found: sqlite3.DatabaseError | None = application.bot_data.get(DAMAGE_KEY)
    return found
