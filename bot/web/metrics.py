"""`GET /metrics` in Prometheus' text format (prometheus-client).

Counters and the histogram live where the work happens (each fan-out counts its outcomes, the
rate limiter 429s, the update processor drops and handling time); ``BotCollector`` reads them,
and the database's gauges, when Prometheus scrapes. Labels name outcomes and states only:
never a chat id, never anything a user typed.

Served on ``--metrics-port`` (127.0.0.1 by default) in both modes, and next to /healthz on
the webhook's listener only when a bearer token is set (BACKCARE_METRICS_TOKEN), which every
/metrics then asks for.

``TelegramHealth`` is how the bot sees Telegram: the transport reports every call's answer
to it; /healthz and ``backcare_telegram_up`` read it.
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Iterator
from typing import Any

from aiohttp import web
from prometheus_client import CollectorRegistry, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from telegram.ext import Application

from bot.config import ConfigError, Settings
from bot.jobs import Jobs
from bot.sending.outcome import Outcome
from bot.sending.request import AiohttpRequest, PollingRequest
from bot.services import Services

logger = logging.getLogger(__name__)

METRICS_PATH = "/metrics"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
#: The due backlog is counted up to this many rows, so a scrape stays cheap at any size.
BACKLOG_CAP = 100_000
#: Update handling time buckets (seconds): replies are tens of milliseconds; a chart more.
HANDLING_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
#: Bot API calls in a row that must fail (no answer, or a 5xx) before Telegram counts as
#: down: /healthz 503, backcare_telegram_up 0. One network hiccup fails every request in
#: flight at once, up to BACKCARE_MAX_IN_FLIGHT daily tips (16 by default) and the replies
#: beside them, and the next ones usually work: 20 in a row with no success between them
#: outlasts such a burst, and an outage during a fan-out reaches it within seconds. A quiet
#: bot makes few calls, so it may take longer to notice; any success resets the count.
FAILURES_DOWN = 20


class TelegramHealth:
    """Whether Telegram takes the bot's calls, from the answers to them (``observe``)."""

    def __init__(self) -> None:
        self.failures_in_a_row = 0
        self.token_refused = False
        self.last_failure = ""

    def observe(self, status: int | None) -> None:
        """One call's answer: its HTTP status, or None when none came (timeout, refused or
        dropped connection)."""
        if status == 401:
            # The token revoked (or replaced) in @BotFather: nothing will work. 403 is not
            # counted: Telegram answers it for one chat (a user who blocked the bot), so it
            # says nothing about the token.
            self.token_refused = True
        elif status is None or status >= 500:
            self.failures_in_a_row += 1
            self.last_failure = "no answer" if status is None else str(status)
        else:  # Telegram answered: 2xx, or a refusal of this one call (400, 403, 429)
            self.failures_in_a_row = 0
            self.token_refused = False

    @property
    def state(self) -> str:
        """ "ok", "token refused" or "failing"."""
        if self.token_refused:
            return "token refused"
        return "failing" if self.failures_in_a_row >= FAILURES_DOWN else "ok"

    @property
    def problem(self) -> str | None:
        """What is wrong, in one line for /healthz; None when nothing is."""
        if self.token_refused:
            return (
                "Telegram refuses the token (401 Unauthorized): it was revoked or replaced in "
                "@BotFather; set the new one in TELEGRAM_BOT_TOKEN and restart"
            )
        if self.failures_in_a_row >= FAILURES_DOWN:
            return f"the last {self.failures_in_a_row} Bot API calls failed ({self.last_failure})"
        return None


class BotMetrics:
    """The registry of one bot, and the instruments the bot's parts update.

    What the jobs count (sessions running, session edits, tips sent again after Later,
    weekly look backs sent) is read from the jobs at each scrape (``BotCollector``).
    """

    def __init__(self) -> None:
        # Not auto_describe: that would run the collector (and its queries) at start-up.
        self.registry = CollectorRegistry(auto_describe=False)
        self.handling = Histogram(
            "backcare_update_handling_seconds",
            "Time from an update's turn to the end of its handling.",
            buckets=HANDLING_BUCKETS,
            registry=self.registry,
        )
        self.telegram = TelegramHealth()
        up = Gauge(
            "backcare_telegram_up",
            "Whether Telegram takes the bot's calls: 0 when it refuses the token or the last "
            f"{FAILURES_DOWN} calls failed (as /healthz).",
            registry=self.registry,
        )
        up.set_function(lambda: 0 if self.telegram.problem else 1)

    def attach(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        services: Services,
        jobs: Jobs,
        polling: PollingRequest | None = None,
    ) -> None:
        """Read the application's parts on every scrape, and see every answer its Bot API
        transports get (for ``telegram``): the one that sends, and long polling's."""
        self.registry.register(
            BotCollector(services, jobs, application.bot.rate_limiter, application.update_processor)
        )
        request = application.bot.request
        if isinstance(request, AiohttpRequest):
            request.on_answer = self.telegram.observe
        if polling is not None:
            polling.on_answer = self.telegram.observe

    def exposition(self) -> bytes:
        """The current metrics in the text format."""
        return generate_latest(self.registry)


class BotCollector(Collector):
    """Counts and gauges read from the running bot and its database at scrape time."""

    def __init__(self, services: Services, jobs: Jobs, limiter: Any, processor: Any) -> None:
        self.services = services
        self.jobs = jobs
        #: The rate limiter and the update processor: their counts, if they keep them.
        self.limiter = limiter
        self.processor = processor

    def collect(self) -> Iterator[Any]:
        """Yield every metric family (called by prometheus-client on each scrape)."""
        services, jobs = self.services, self.jobs
        dispatcher = jobs.dispatcher
        store, now = services.store, services.clock()

        tips = CounterMetricFamily(
            "backcare_tips", "Daily tips by outcome since the start.", labels=["outcome"]
        )
        for outcome, count in sorted(dispatcher.outcomes.items()):
            tips.add_metric([outcome], count)
        tips.add_metric(["skipped_missed_day"], store.skipped_days)
        yield tips
        runner = jobs.sessions
        yield GaugeMetricFamily(
            "backcare_sessions_active", "Guided sessions running now.", value=runner.active
        )
        for name, help_text, count in (
            (
                "backcare_session_edits",
                "Guided-session messages edited (steps and countdowns), since the start.",
                runner.edits[Outcome.SENT],
            ),
            (
                "backcare_snoozes_sent",
                "Tips sent again after Later, since the start.",
                jobs.later.sent,
            ),
            (
                "backcare_weekly_sent",
                "Weekly look backs sent, since the start.",
                jobs.weekly.sent,
            ),
        ):
            yield CounterMetricFamily(name, help_text, value=count)

        yield CounterMetricFamily(
            "backcare_telegram_429",
            "Requests Telegram answered 429 Too Many Requests, since the start.",
            value=getattr(self.limiter, "retry_after_count", 0),
        )
        yield CounterMetricFamily(
            "backcare_updates_dropped",
            "Updates dropped because their chat was flooding, since the start.",
            value=getattr(self.processor, "dropped", 0),
        )
        pruned = CounterMetricFamily(
            "backcare_retention_deleted_rows",
            "Rows deleted for being older than the retention window, since the start "
            "(their counts stay).",
            labels=["table"],
        )
        keeper = jobs.retention
        for table in ("deliveries", "broadcast_deliveries"):
            pruned.add_metric([table], keeper.deleted[table])
        yield pruned
        yield from self._database(store, now, dispatcher)

    def _database(self, store: Any, now: Any, dispatcher: Any) -> Iterator[Any]:
        try:
            backlog = store.due_count(now, cap=BACKLOG_CAP)
            oldest = store.oldest_due(now)
            quarantined = store.quarantined_count()
            broadcasts = [(b, store.broadcast_counts(b.id)) for b in store.unfinished_broadcasts()]
        except Exception as error:  # a scrape must answer even when the database does not
            logger.warning("metrics: the database did not answer: %s", error)
            yield GaugeMetricFamily(
                "backcare_database_up", "Whether the database answered this scrape.", value=0
            )
            return
        yield GaugeMetricFamily(
            "backcare_database_up", "Whether the database answered this scrape.", value=1
        )
        yield GaugeMetricFamily(
            "backcare_due_backlog",
            f"Daily tips due now and not yet claimed (counted up to {BACKLOG_CAP:,}).",
            value=backlog,
        )
        yield GaugeMetricFamily(
            "backcare_oldest_due_tip_seconds",
            "How long the earliest due tip has waited (0 when none is due).",
            value=oldest.total_seconds() if oldest else 0,
        )
        yield GaugeMetricFamily(
            "backcare_quarantined_rows",
            "Subscriber rows set aside because they cannot be scheduled.",
            value=quarantined,
        )
        last = dispatcher.last_progress
        yield GaugeMetricFamily(
            "backcare_dispatch_last_finished_seconds",
            "Seconds since a daily-tip run last finished (or claimed a batch); -1 before one.",
            value=(now - last).total_seconds() if last else -1,
        )
        progress = GaugeMetricFamily(
            "backcare_broadcast_recipients",
            "Recipients of unfinished broadcasts by state.",
            labels=["state"],
        )
        totals: dict[str, int] = {}
        for _, counts in broadcasts:
            for status, count in counts.items():
                totals[status.value] = totals.get(status.value, 0) + count
        for state, count in sorted(totals.items()):
            progress.add_metric([state], count)
        yield progress


async def serve_metrics(request: web.Request) -> web.Response:
    """The aiohttp route: the text format, built on the event loop (it reads the database)."""
    token = request.app[_TOKEN]
    if token is not None and not _bearer_is(request, token):
        return web.Response(status=401, headers={"WWW-Authenticate": "Bearer"})
    metrics: BotMetrics = request.app[_METRICS]
    started = time.perf_counter()
    body = metrics.exposition()
    logger.debug("metrics built in %.1f ms", (time.perf_counter() - started) * 1000)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})


def _bearer_is(request: web.Request, token: str) -> bool:
    """Whether the request carries ``Authorization: Bearer <token>``, compared in constant
    time as bytes (a header may hold any bytes: never an encoding error)."""
    sent = request.headers.get("Authorization", "").encode("utf-8", "surrogateescape")
    return hmac.compare_digest(sent, b"Bearer " + token.encode())


_METRICS: web.AppKey[BotMetrics] = web.AppKey("metrics", BotMetrics)
_TOKEN: web.AppKey[str | None] = web.AppKey("metrics-token")


def add_route(app: web.Application, metrics: BotMetrics, token: str | None) -> None:
    """Serve ``metrics`` at /metrics on ``app``; with ``token``, only to requests that
    carry it as a bearer token."""
    app[_METRICS] = metrics
    app[_TOKEN] = token
    app.router.add_get(METRICS_PATH, serve_metrics)


async def serve_port(metrics: BotMetrics, settings: Settings) -> web.AppRunner | None:
    """Serve ``metrics`` on the metrics port, if one is set; returns its server (which
    post_shutdown stops), else None.

    Raises:
        ConfigError: the port is taken, or the address is not this machine's.
    """
    if not settings.metrics_port:
        return None
    runner = web.AppRunner(web.Application(), access_log=None)
    add_route(runner.app, metrics, settings.metrics_token)
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.metrics_listen, settings.metrics_port).start()
    except OSError as error:
        await runner.cleanup()
        raise ConfigError(
            f"BACKCARE_METRICS_PORT: cannot listen on {settings.metrics_listen}:"
            f"{settings.metrics_port} ({error.strerror or error})"
        ) from None
    logger.info("metrics on http://%s:%d/metrics", settings.metrics_listen, settings.metrics_port)
    return runner
