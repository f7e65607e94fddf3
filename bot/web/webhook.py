"""Webhook mode: an aiohttp server takes Telegram's updates, answers ``GET /healthz`` and
serves the Mini App (``/app/``) when it is on.

PTB's custom-webhook pattern (examples/customwebhookbot.py): the Application runs without
an Updater, our own web server puts each update into ``application.update_queue``, and
the server has room for a health route PTB's built-in webhook server lacks.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update

from bot import logs
from bot.app import mount_webapp, running
from bot.config import Settings
from bot.context import BotApplication
from bot.web.metrics import add_route

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_PATH = "/healthz"
#: The delivery job counts as stuck after this many of its intervals without a run.
STALE_INTERVALS = 2

_APPLICATION: web.AppKey[BotApplication] = web.AppKey("application")
_SECRET = web.AppKey("secret", str)
_STARTED = web.AppKey("started", datetime)


def url_path(settings: Settings) -> str:
    """The local path updates are posted to: ``settings.url_path``, else the webhook URL's."""
    if settings.url_path:
        return settings.url_path
    return urlsplit(settings.webhook_url or "").path or "/"


def web_app(application: BotApplication, secret: str, started: datetime) -> web.Application:
    """The aiohttp app: updates on the webhook's path, the health check on /healthz, and
    the Mini App under /app/ when it is on.

    Args:
        application: the running bot; updates go into its update_queue.
        secret: what Telegram sends in X-Telegram-Bot-Api-Secret-Token.
        started: when the bot started (the services' clock): the delivery job's age
            counts from here until its first run.
    """
    settings = application.services.settings
    app = web.Application()
    app[_APPLICATION] = application
    app[_SECRET] = secret
    app[_STARTED] = started
    app.router.add_post(url_path(settings), _update)
    app.router.add_get(HEALTH_PATH, _health)
    # This listener is the one a public proxy forwards to: /metrics only with a token.
    if settings.metrics_token:
        add_route(app, application.metrics, settings.metrics_token)
    if settings.webapp_url is not None:
        mount_webapp(app, application)
    return app


async def serve(
    application: BotApplication, settings: Settings, *, ready: asyncio.Event | None = None
) -> None:
    """Run the bot in webhook mode until cancelled; ``ready`` is set once it takes updates.

    On stop the webhook stays set: Telegram keeps the updates that arrive meanwhile (for
    up to 24 hours) and delivers them when the bot is back; the next start sets it again
    anyway, and a crash could not delete it either.
    """
    assert settings.webhook_url is not None, "webhook mode needs settings.webhook_url"
    # Without a configured secret, one made for this run: Telegram learns it below, and
    # nobody else can post updates, even knowing the URL.
    secret = settings.secret_token or secrets.token_urlsafe(32)
    logs.add_secret(secret)
    async with running(application):
        started = application.services.clock()
        # Requests in flight get a few seconds on stop, well within systemd's TimeoutStopSec.
        runner = web.AppRunner(
            web_app(application, secret, started), access_log=None, shutdown_timeout=5
        )
        await runner.setup()
        try:
            site = web.TCPSite(runner, settings.listen, settings.port)
            await site.start()
            # The server listens before Telegram learns the URL, so no update is refused.
            await application.bot.set_webhook(
                settings.webhook_url,
                secret_token=secret,
                allowed_updates=Update.ALL_TYPES,
                drop_pending_updates=False,
            )
            logger.info(
                "webhook set; listening on %s:%d%s",
                settings.listen,
                settings.port,
                url_path(settings),
            )
            if ready is not None:
                ready.set()
            await asyncio.Event().wait()  # until cancelled
        finally:
            await runner.cleanup()


async def _update(request: web.Request) -> web.Response:
    """Check the secret, then queue the update for the Application."""
    sent = request.headers.get(SECRET_HEADER, "")
    # The header may hold any bytes (aiohttp keeps undecodable ones as surrogates): compare
    # bytes, so anything that is not the secret is a 403, never an encoding error.
    presented = sent.encode("utf-8", "surrogateescape")
    if not hmac.compare_digest(presented, request.app[_SECRET].encode()):
        # Neither the body nor the header's value is logged: either may be anything.
        logger.warning(
            "webhook request from %s refused: %s secret token",
            request.remote,
            "wrong" if sent else "no",
        )
        return web.Response(status=403)
    application: BotApplication = request.app[_APPLICATION]
    try:
        data = await request.json()
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            raise ValueError("not an update")
        update = Update.de_json(data, application.bot)
    # What bad input raises in json and PTB; RecursionError: a body nested too deep.
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        logger.warning("webhook request from %s refused: not an update", request.remote)
        return web.Response(status=400)
    await application.update_queue.put(update)
    return web.Response()


async def _health(request: web.Request) -> web.Response:
    """200 when the database answers, the daily-tip job finished a run (or claimed a batch
    of a long one) within ``STALE_INTERVALS`` ticks, and Telegram takes the bot's calls (see
    ``bot.web.metrics.TelegramHealth``); else 503 with the reasons."""
    application: BotApplication = request.app[_APPLICATION]
    services = application.services
    now = services.clock()
    quarantined: int | None = None
    oldest: timedelta | None = None
    try:
        quarantined = services.store.quarantined_count()
        oldest = services.store.oldest_due(now)
        database_ok = True
    except Exception as error:  # any failure of the database means unhealthy
        logger.error("health check: the database failed: %s", error)
        database_ok = False
    last = application.jobs.dispatcher.last_progress
    since = last or request.app[_STARTED]
    job_ok = now - since <= timedelta(seconds=STALE_INTERVALS * services.settings.tick_seconds)
    if not job_ok:
        logger.warning("health check: no daily-tip run finished since %s", since.isoformat())
    telegram = application.metrics.telegram
    if (telegram_problem := telegram.problem) is not None:
        logger.warning("health check: %s", telegram_problem)
    problems = [
        *([] if database_ok else ["the database does not answer"]),
        *([] if job_ok else [f"no daily-tip run finished in {STALE_INTERVALS} ticks"]),
        *([] if telegram_problem is None else [telegram_problem]),
    ]
    body = {
        "status": "unhealthy" if problems else "ok",
        "problems": problems,
        "database": "ok" if database_ok else "error",
        "delivery_job": "ok" if job_ok else "stale",
        "delivery_job_last_finished": last.isoformat() if last else None,
        "telegram": telegram.state,
        "telegram_failures_in_a_row": telegram.failures_in_a_row,
        "quarantined_rows": quarantined,
        "oldest_due_seconds": None if oldest is None else int(oldest.total_seconds()),
        "now": now.isoformat(),
    }
    return web.Response(
        text=json.dumps(body), content_type="application/json", status=503 if problems else 200
    )
