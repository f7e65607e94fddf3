"""`GET /metrics` in Prometheus' text format (prometheus-client).

Counters and the histogram live where the work happens (the Dispatcher counts outcomes, the
rate limiter 429s, the update processor drops and handling time); ``BotCollector`` reads them,
and the database's gauges, when Prometheus scrapes. Labels name outcomes and states only:
never a chat id, never anything a user typed.

Served next to /healthz in webhook mode, and on ``--metrics-port`` (127.0.0.1) in polling mode.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

from aiohttp import web
from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from bot.context import services_of
from bot.jobs import DISPATCHER_KEY, RETENTION_KEY
from storage import operators

logger = logging.getLogger(__name__)

METRICS_PATH = "/metrics"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
#: The due backlog is counted up to this many rows, so a scrape stays cheap at any size.
BACKLOG_CAP = 100_000
#: Update handling time buckets (seconds): replies are tens of milliseconds; a chart more.
HANDLING_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
METRICS_KEY = "metrics"


class BotMetrics:
    """The registry of one bot, and the instruments the bot's parts update."""

    def __init__(self) -> None:
        # Not auto_describe: that would run the collector (and its queries) at start-up.
        self.registry = CollectorRegistry(auto_describe=False)
        self.handling = Histogram(
            "backcare_update_handling_seconds",
            "Time from an update's turn to the end of its handling.",
            buckets=HANDLING_BUCKETS,
            registry=self.registry,
        )

    def attach(self, application: Any) -> None:
        """Read the application's parts on every scrape."""
        self.registry.register(BotCollector(application))

    def exposition(self) -> bytes:
        """The current metrics in the text format."""
        return generate_latest(self.registry)


class BotCollector(Collector):
    """Counts and gauges read from the running bot and its database at scrape time."""

    def __init__(self, application: Any) -> None:
        self.application = application

    def collect(self) -> Iterator[Any]:
        """Yield every metric family (called by prometheus-client on each scrape)."""
        application = self.application
        services = services_of(application)
        dispatcher = application.bot_data[DISPATCHER_KEY]
        store, now = services.store, services.clock()

        tips = CounterMetricFamily(
            "backcare_tips", "Daily tips by outcome since the start.", labels=["outcome"]
        )
        for outcome, count in sorted(dispatcher.outcomes.items()):
            tips.add_metric([outcome], count)
        tips.add_metric(["skipped_missed_day"], store.skipped_days)
        yield tips

        limiter = application.bot.rate_limiter
        yield CounterMetricFamily(
            "backcare_telegram_429",
            "Requests Telegram answered 429 Too Many Requests, since the start.",
            value=getattr(limiter, "retry_after_count", 0),
        )
        processor = application.update_processor
        yield CounterMetricFamily(
            "backcare_updates_dropped",
            "Updates dropped because their chat was flooding, since the start.",
            value=getattr(processor, "dropped", 0),
        )
        pruned = CounterMetricFamily(
            "backcare_retention_deleted_rows",
            "Rows deleted for being older than the retention window, since the start "
            "(their counts stay).",
            labels=["table"],
        )
        keeper = application.bot_data[RETENTION_KEY]
        for table in ("deliveries", "broadcast_deliveries"):
            pruned.add_metric([table], keeper.deleted[table])
        yield pruned
        yield from self._database(store, now, dispatcher)

    def _database(self, store: Any, now: Any, dispatcher: Any) -> Iterator[Any]:
        try:
            backlog = store.due_count(now, cap=BACKLOG_CAP)
            oldest = store.oldest_due(now)
            quarantined = store.quarantined_count()
            broadcasts = [(b, operators.counts(store, b.id)) for b in operators.unfinished(store)]
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
    metrics: BotMetrics = request.app[_METRICS]
    started = time.perf_counter()
    body = metrics.exposition()
    logger.debug("metrics built in %.1f ms", (time.perf_counter() - started) * 1000)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})


_METRICS: web.AppKey[BotMetrics] = web.AppKey("metrics", BotMetrics)


def add_route(app: web.Application, metrics: BotMetrics) -> None:
    """Serve ``metrics`` at /metrics on ``app``."""
    app[_METRICS] = metrics
    app.router.add_get(METRICS_PATH, serve_metrics)
