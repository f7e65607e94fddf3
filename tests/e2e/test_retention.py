"""The retention job in the running bot: scheduled, deleting old rows in timed batches,
giving way to another process's lock, and leaving the figures where /stats reads them."""

from __future__ import annotations

import io
import sqlite3
from argparse import Namespace
from collections.abc import Iterator
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.jobs.retention import BATCH_MIN, FIRST_SECONDS, INTERVAL_SECONDS, JOB_NAME, Retention
from bot.ops import operators as opscli
from tests.conftest import START, Harness, MakeHarness

NINE = START.replace(hour=9, minute=1)
CHATS = (501, 502, 503)


def old_rows(harness: Harness, count: int, day: str = "2026-01-05") -> None:
    """``count`` sent rows of an old local date, written as the bot writes them."""
    harness.store.db.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
        "INSERT INTO deliveries (chat_id, local_date, tip_id, status, attempts, updated_at) "
        "SELECT 1000 + i, ?, 'x', 'sent', 1, 'x' FROM n",
        [count, day],
    )


def rows_dated(harness: Harness, day: str) -> int:
    (count,) = harness.store.db.execute(
        "SELECT count(*) FROM deliveries WHERE local_date = ?", [day]
    ).fetchone()
    return int(count)


def steps(seconds: float) -> Iterator[float]:
    """A timer on which every batch takes ``seconds``."""
    now = 0.0
    while True:
        yield now  # read before a batch ...
        now += seconds
        yield now  # ... and after


async def test_old_rows_go_and_their_figures_stay(make_harness: MakeHarness) -> None:
    bot = make_harness()
    async with bot.running() as application:
        for chat in CHATS:
            await bot.say("/subscribe", chat)
        bot.clock.set(NINE)
        await bot.tick()
        assert rows_dated(bot, "2026-11-26") == len(CHATS)

        assert application.job_queue is not None
        (job,) = application.job_queue.get_jobs_by_name(JOB_NAME)
        assert job.job.trigger.interval == timedelta(seconds=INTERVAL_SECONDS)
        assert FIRST_SECONDS <= 60  # the first run comes soon after a start

        bot.clock.advance(days=89)  # the 90th date kept, counting today
        await job.run(application)
        assert rows_dated(bot, "2026-11-26") == len(CHATS)
        bot.clock.advance(days=1)
        await job.run(application)
        assert rows_dated(bot, "2026-11-26") == 0
        keeper: Retention = application.jobs.retention
        assert keeper.last is not None and keeper.last.deleted == {"deliveries": 3}

        metrics = application.metrics.exposition().decode()
        deleted = {
            sample.labels["table"]: sample.value
            for family in text_string_to_metric_families(metrics)
            for sample in family.samples
            if sample.name == "backcare_retention_deleted_rows_total"
        }
        assert deleted == {"deliveries": 3, "broadcast_deliveries": 0}

        # `backcare-bot stats` still has that day, from the daily counts.
        out = io.StringIO()
        args = Namespace(command="stats", days=100)
        assert opscli.main(args, bot.settings, out, now=bot.clock()) == opscli.OK
        (line,) = [
            row for row in out.getvalue().splitlines() if row.strip().startswith("2026-11-26")
        ]
        assert line.split()[1:] == ["3", "0", "0", "0"]  # sent, failed, blocked, check-ins


async def test_a_lock_held_elsewhere_ends_the_run_and_the_next_one_goes_on(
    make_harness: MakeHarness,
) -> None:
    bot = make_harness()
    async with bot.running() as application:
        old_rows(bot, 500)
        keeper: Retention = application.jobs.retention
        other = sqlite3.connect(bot.settings.db_path, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # another process writing
            run = await keeper.run()
            assert run is not None and run.stopped == "busy" and run.deleted == {}
            assert rows_dated(bot, "2026-01-05") == 500  # nothing half-deleted
            other.execute("COMMIT")
        finally:
            other.close()
        run = await keeper.run()
        assert run is not None and run.stopped is None
        assert run.deleted == {"deliveries": 500}
        assert rows_dated(bot, "2026-01-05") == 0


async def test_a_stop_ends_the_run_between_batches(make_harness: MakeHarness) -> None:
    bot = make_harness()
    async with bot.running() as application:
        old_rows(bot, 300)
        services = application.jobs.retention.services
        on_target = steps(0.02)  # every batch takes the target: the size stays
        keeper = Retention(services, pause=0, rest=0, timer=lambda: next(on_target))
        keeper.sizes["deliveries"] = 100
        answers = iter([True, True, False])
        run = await keeper.run(lambda: next(answers))
        assert run is not None and run.stopped == "stopping"
        assert run.deleted == {"deliveries": 200} and rows_dated(bot, "2026-01-05") == 100


async def test_batches_shrink_when_slow_and_grow_when_fast(make_harness: MakeHarness) -> None:
    bot = make_harness()
    async with bot.running() as application:
        services = application.jobs.retention.services
        old_rows(bot, 2_000)
        slow = steps(0.1)  # five times the target: the next batch is a fifth the size
        keeper = Retention(services, pause=0, rest=0, timer=lambda: next(slow))
        run = await keeper.run()
        assert run is not None and run.deleted == {"deliveries": 2_000}
        assert keeper.sizes["deliveries"] == BATCH_MIN
        # 500, then 100, then 50 a batch for the remaining 1,400, then one that finds none,
        # and one that finds no broadcast to thin.
        assert run.batches == 1 + 1 + 28 + 1 + 1
        assert run.longest == pytest.approx(0.1)

        old_rows(bot, 20_000, day="2026-01-06")
        fast = steps(0.001)
        keeper = Retention(services, pause=0, rest=0, timer=lambda: next(fast))
        run = await keeper.run()
        assert run is not None and run.deleted == {"deliveries": 20_000}
        # At most doubling a step: 500, 1,000, 2,000, 4,000, 8,000, then the last 4,500
        # in a batch of up to 16,000.
        assert run.batches == 6 + 1 + 1
        assert keeper.sizes["deliveries"] == 32_000
