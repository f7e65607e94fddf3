"""Build the Application: settings, storage, content, handlers and the daily-tip job."""

from __future__ import annotations

import functools
import logging
import sqlite3
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from aiohttp import web
from telegram import (
    BotCommand,
    LinkPreviewOptions,
    MenuButton,
    MenuButtonCommands,
    MenuButtonWebApp,
    Update,
    WebAppInfo,
)
from telegram.constants import ParseMode
from telegram.error import InvalidToken, TelegramError, TimedOut
from telegram.ext import Application, ApplicationBuilder, BaseRateLimiter, ContextTypes, Defaults
from telegram.request import BaseRequest

from bot import handlers, jobs
from bot.config import ConfigError, Settings
from bot.context import BotApplication, BotContext
from bot.fairness import PerChatProcessor
from bot.handlers.report import send_report
from bot.jobs import Jobs
from bot.sending.ratelimit import PriorityRateLimiter
from bot.sending.request import AiohttpRequest, PollingRequest
from bot.services import Clock, Services, system_clock
from bot.web import miniapp
from bot.web.metrics import BotMetrics, serve_port
from content import DEFAULT_LANGUAGE, Content, load_all
from storage import Store

logger = logging.getLogger(__name__)

#: What PTB hands the start and stop hooks: the application, typed loosely.
AnyApplication = Application[Any, Any, Any, Any, Any, Any]
#: The longest a statement on the event loop waits for another process's lock (seconds).
#: Past it, a user's update is answered "busy, send it again", the daily tip waits for the
#: next tick, and a sent tip's record is written again a little later (sending/patience.py).
LOCK_WAIT = 0.05


def build_application(
    settings: Settings,
    *,
    clock: Clock = system_clock,
    request: BaseRequest | None = None,
    contents: Mapping[str, Content] | None = None,
    rate_limiter: BaseRateLimiter[Any] | None = None,
) -> BotApplication:
    """Build the bot, ready for ``run_polling`` or a manual start.

    Args:
        settings: the bot's settings.
        clock: where "now" comes from; tests pass a controllable one.
        request: a custom Bot API transport (the terminal chat uses one); HTTP by default.
        contents: what the bot says, per language; every language in ``content/`` loaded
            and cross-checked by default.
        rate_limiter: how requests are paced; a PriorityRateLimiter at the settings' rate
            by default (benchmarks compare others).
    """
    contents = contents or load_all()
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.api_base_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .context_types(ContextTypes(context=BotContext))
        .rate_limiter(
            rate_limiter or PriorityRateLimiter(settings.send_rate, chat_rate=settings.chat_rate)
        )
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    polling: PollingRequest | None = None
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    else:
        # Every send goes through aiohttp (about twice the throughput of PTB's httpx on
        # this machine, see bench/RESULTS.md); long polling keeps PTB's own client, whose
        # answers the health signal sees too.
        polling = PollingRequest()
        builder = builder.request(AiohttpRequest()).get_updates_request(polling)
    processor = PerChatProcessor()
    builder = builder.concurrent_updates(processor)
    store = Store(
        settings.db_path, default_timezone=settings.default_timezone, autocheckpoint=False
    )
    services = Services(settings=settings, store=store, contents=contents, clock=clock)
    held = {"services": services, "jobs": Jobs.of(services), "metrics": BotMetrics()}
    application = builder.application_class(BotApplication, kwargs=held).build()
    assert isinstance(application, BotApplication)
    processor.on_dropped = functools.partial(_tell_flooding_chat, application)
    application.metrics.attach(application, services, application.jobs, polling)
    processor.on_handled = application.metrics.handling.observe
    handlers.register(application)
    return application


@asynccontextmanager
async def running(application: BotApplication, *, polling: bool = False) -> AsyncIterator[None]:
    """Run ``application`` inside an event loop that the caller owns, as run_polling would.

    The same lifecycle hooks run in the same order (initialize, post_init, start; then stop,
    post_stop, shutdown, post_shutdown), so the terminal chat and the tests start and stop
    the bot exactly as production does.

    Of Telegram's answers only getMe's (in initialize) can stop the start: a token Telegram
    refuses, or Telegram out of reach, raises a ConfigError (one line, exit 2); an error
    answer such as a 5xx is raised as it is. The transport and the rate limiter initialize
    opened are closed first: Application.shutdown does nothing before initialize finished.
    """
    try:
        await application.initialize()
    except TelegramError as error:
        await application.bot.shutdown()
        raise _start_refused(error, application.services.settings) from None
    try:
        if application.post_init is not None:
            await application.post_init(application)
        if polling:
            assert application.updater is not None
            await application.updater.start_polling(allowed_updates=Update.ALL_TYPES)
        await application.start()
        try:
            yield
        finally:
            if application.updater is not None and application.updater.running:
                try:
                    await application.updater.stop()
                except TelegramError as error:
                    # Long polling had ended on its own: Telegram refused the token (401)
                    # while the bot ran, which /healthz and backcare_telegram_up show. The
                    # bot still stops cleanly.
                    logger.warning("long polling had stopped: %s", type(error).__name__)
            await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


async def _post_init(application: AnyApplication) -> None:
    """Start the bot, step by step: each step needs the ones before it."""
    assert isinstance(application, BotApplication)
    services = application.services
    _migrate(services.store)
    _recover(services)
    _sync_tips(services)
    await _introduce(application, services.contents)
    await _menu_button(application, services)
    application.runtime.metrics_runner = await serve_port(application.metrics, services.settings)
    await _serve_webapp(application, services.settings)
    # Started: from now on the event loop never waits long for a lock (see LOCK_WAIT).
    services.store.wait_for_locks(LOCK_WAIT)
    # Every job, in one table (bot/jobs/__init__.py).
    jobs.schedule(application, services, application.jobs)


def mount_webapp(parent: web.Application, application: BotApplication) -> None:
    """Serve the Mini App under ``/app/`` on ``parent`` (the webhook's server, or the web
    port's): the pain stop's warning signs and the progress page's PDF record go into the
    chat as the bot's own replies do."""
    miniapp.mount(
        parent,
        application.services,
        miniapp.chat_notifier(application.bot),
        functools.partial(send_report, application.bot, application.services),
    )


async def start_webapp(application: BotApplication, listen: str, port: int) -> web.AppRunner:
    """Serve the Mini App alone on ``listen``:``port`` (0: a free port); the runner is kept
    in the runtime, with the address the pages are served at, for post_shutdown to stop.

    Raises:
        ConfigError: the port is taken, or the address is not this machine's.
    """
    runner = web.AppRunner(web.Application(), access_log=None, shutdown_timeout=5)
    mount_webapp(runner.app, application)
    await runner.setup()
    site = web.TCPSite(runner, listen, port)
    try:
        await site.start()
    except OSError as error:
        await runner.cleanup()
        raise ConfigError(
            f"BACKCARE_WEB_PORT: cannot listen on {listen}:{port} ({error.strerror or error})"
        ) from None
    # The port bound (the OS's choice for 0), from aiohttp's public list of addresses.
    bound = runner.addresses[0][1] if runner.addresses else port
    runtime = application.runtime
    runtime.web_runner = runner
    runtime.web_address = f"http://{listen}:{bound}{miniapp.PREFIX}/"
    logger.info("mini app on %s", runtime.web_address)
    return runner


async def _serve_webapp(application: BotApplication, settings: Settings) -> None:
    """Polling mode with the Mini App on: serve it on the web port (webhook mode serves it
    beside the webhook, ``bot.web.webhook``)."""
    if settings.webapp_url is None or settings.webhook_url is not None:
        return
    assert settings.web_port is not None, "Settings.from_env asks for a web port"
    await start_webapp(application, settings.web_listen, settings.web_port)


def _migrate(store: Store) -> None:
    """Bring the database's schema up to date (before anything reads it)."""
    applied = store.migrate()
    if applied:
        logger.info("database migrated: %s", ", ".join(applied))


def _recover(services: Services) -> None:
    """Settle what the last run left half done: tips and broadcast copies being sent when
    it stopped (before any job claims again)."""
    recovered = services.store.recover(services.clock())
    if recovered.released or recovered.uncertain:
        logger.warning(
            "the last run did not stop cleanly: %d unsent tips released, %d uncertain "
            "(maybe delivered; not sent again)",
            recovered.released,
            recovered.uncertain,
        )
    uncertain_copies = services.store.recover_broadcasts(services.clock())
    if uncertain_copies:
        logger.warning(
            "the last run did not stop cleanly: %d broadcast copies uncertain "
            "(maybe delivered; not sent again)",
            uncertain_copies,
        )


def _sync_tips(services: Services) -> None:
    """Write the content's tips into the database's library (before a job picks one)."""
    synced = services.store.sync_tips(services.content.tips, services.clock())
    logger.info(
        "tips: %d added, %d updated, %d retired", synced.added, synced.updated, synced.retired
    )


async def _introduce(application: BotApplication, contents: Mapping[str, Content]) -> None:
    """Set what Telegram shows about the bot, per language: the command menu, the
    description in the empty chat before /start, and the short one on its profile and with
    a shared link. Each description is read first and set only when it differs, so a start
    sets nothing that is already there.

    All of it is cosmetic, so best effort: the first call Telegram refuses or does not
    answer ends it with one line in the log, and the next start tries again.
    """
    bot = application.bot
    if not bot.supports_inline_queries:
        logger.info(
            "inline mode is off: turn it on in @BotFather (/setinline) so users can send "
            "technique cards to a helper from any chat"
        )
    method = "setMyCommands"
    try:
        # The default menu in the default language, and one per other language: a Chinese
        # app shows Chinese descriptions.
        for language, content in contents.items():
            code = None if language == DEFAULT_LANGUAGE else language
            commands = [BotCommand(name, text) for name, text in content.commands.items()]
            method = "setMyCommands"
            await bot.set_my_commands(commands, language_code=code)
        for language, content in contents.items():
            code = None if language == DEFAULT_LANGUAGE else language
            description, short = (
                content.profile["description"],
                content.profile["short_description"],
            )
            method = "getMyDescription"
            if (await bot.get_my_description(language_code=code)).description != description:
                method = "setMyDescription"
                await bot.set_my_description(description, language_code=code)
                logger.info("bot description set (%s)", language)
            method = "getMyShortDescription"
            current = (await bot.get_my_short_description(language_code=code)).short_description
            if current != short:
                method = "setMyShortDescription"
                await bot.set_my_short_description(short, language_code=code)
                logger.info("bot short description set (%s)", language)
    except TelegramError as error:
        logger.warning(
            "%s failed (%s: %s): the command menu or the bot's descriptions may be out of "
            "date; the next start tries again",
            method,
            type(error).__name__,
            error,
        )


async def _menu_button(application: BotApplication, services: Services) -> None:
    """The menu button beside the message box: with the Mini App on, it opens the guided
    session's page (in the default language's words: Telegram keeps one for every chat);
    with it off, one that opens a Mini App (left by an earlier start) lists the commands
    again. Read first and set only when it differs; best effort, like ``_introduce``."""
    url = services.settings.webapp_url
    bot = application.bot
    method = "getChatMenuButton"
    try:
        current = await bot.get_chat_menu_button()
        wanted: MenuButton | None
        if url is not None:
            text = services.content_for(DEFAULT_LANGUAGE).buttons["menu_app"]
            wanted = MenuButtonWebApp(text, WebAppInfo(url))
        else:
            wanted = MenuButtonCommands() if isinstance(current, MenuButtonWebApp) else None
        if wanted is None or wanted == current:
            return
        method = "setChatMenuButton"
        await bot.set_chat_menu_button(menu_button=wanted)
        logger.info("menu button set: %s", "the Mini App" if url else "the commands")
    except TelegramError as error:
        logger.warning(
            "%s failed (%s: %s): the menu button may be out of date; the next start tries again",
            method,
            type(error).__name__,
            error,
        )


def _start_refused(error: TelegramError, settings: Settings) -> Exception:
    """What to raise when getMe fails at start: a one-line ConfigError when the token is
    refused or Telegram is out of reach (restarting will not help), else ``error``."""
    if isinstance(error, InvalidToken):
        return ConfigError(
            "Telegram refused TELEGRAM_BOT_TOKEN: copy the token again from @BotFather "
            "(/mybots, API Token); a token revoked there stops working at once"
        )
    if isinstance(error, TimedOut) or isinstance(error.__cause__, aiohttp.ClientError):
        reason = str(error).replace(settings.token, "[REDACTED]") if settings.token else error
        return ConfigError(
            f"cannot reach Telegram at {settings.api_base_url} ({reason}): check the network "
            "and TELEGRAM_API_BASE_URL"
        )
    return error


async def _tell_flooding_chat(application: BotApplication, update: Update, first: bool) -> None:
    """An update dropped because its chat floods: answer a press (no client keeps a
    spinner), and say once per flood to slow down."""
    context = BotContext.from_update(update, application)
    content = context.content
    if update.callback_query is not None:
        await update.callback_query.answer(content.answers["slow_down"])
    chat = update.effective_chat
    if first and chat is not None and chat.type == chat.PRIVATE:
        await chat.send_message(content.message("slow_down"))


async def _post_shutdown(application: AnyApplication) -> None:
    """Stop serving metrics and the Mini App; close the database and the drawing threads."""
    assert isinstance(application, BotApplication)
    runtime = application.runtime
    runners = (runtime.metrics_runner, runtime.web_runner)
    runtime.metrics_runner = runtime.web_runner = runtime.web_address = None
    for runner in runners:
        if runner is not None:
            await runner.cleanup()
    services = application.services
    services.drawings.close()
    try:
        # Sessions running now go on at the same step when the bot is back.
        held = services.store.hold_sessions(services.clock())
        if held:
            logger.info("%d guided sessions held until the bot starts again", held)
    except sqlite3.Error as error:  # a locked or full database: they go on by the clock
        logger.warning("could not hold the running guided sessions: %s", error)
    finally:
        services.store.close()
