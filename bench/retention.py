"""A simulated year, then retention: rows and bytes before and after, the time per batch
and the longest event-loop stall, the steady-state size at 1M, and /stats against the
daily counts side by side with the query over raw rows it replaced.

Part 1, a year at scale. A year of daily tips for N subscribers (default 50,000: a
twentieth of 1M, the figures are scaled by 1M / N) and a broadcast a month, written as an
upgrade finds them: the schema before m012, the rows appended a day at a time, then the
bot's own migration (m012 counts the log into ``delivery_days``). Then the bot's
retention job (``bot.jobs.retention.Retention``, the real class, default window of 90 days)
runs on the event loop while a probe task measures how late the loop wakes it.

Part 2, /stats at 1M. bench/stats.py's file (1M subscribers) with 30 days of delivery
rows, the window /stats shows: ``store.stats()`` as it is now (reading the daily counts) and
the statement it replaced (counting 30M raw rows through the (local_date, status)
index), alternating, plus ``python -m bot stats`` end to end.

    /tmp/venv/bin/python bench/retention.py [--quick | --smoke] [--subscribers N] [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import _common as C
import stats as stats_bench

from bot.app import LOCK_WAIT
from bot.jobs import CHECKPOINT_SECONDS
from bot.jobs.retention import Retention
from bot.services import Services
from content import load_all
from storage import DEFAULT_KEEP_DAYS, Store
from storage.migrations import migrations

YEAR_DAYS = 365
#: The window of part 2: what /stats shows.
STATS_DAYS = 30
MILLION = 1_000_000
#: A broadcast every this many days, to every subscriber.
BROADCAST_EVERY = 30
#: When the probe's sleep is due, in seconds; how late it wakes is the loop's stall.
PROBE_SLEEP = 0.001
TARGET_STATS_S = 0.2


# Part 1: seeding a year -------------------------------------------------------------------


def seed_year(n: int) -> tuple[Path, float | None]:
    """The cached file: a year of history for ``n`` subscribers at the schema before m012."""
    final = C.CACHE / f"year-{n}-{C._schema_key()}.db"
    if final.exists():
        return final, None
    C.CACHE.mkdir(parents=True, exist_ok=True)
    tmp = final.with_suffix(f".tmp{os.getpid()}")
    tmp.unlink(missing_ok=True)
    started = time.perf_counter()
    store = Store(tmp)
    migrations.apply(store.db, stop_before="m012_summaries")
    # Today's sync_tips writes the tip library's columns: m021 adds only what is missing,
    # so it runs again unharmed in its turn.
    from storage.migrations import m021_tip_library

    m021_tip_library(store.db)
    from content import load

    store.sync_tips(load().tips, C.REF)
    store.close()
    conn = sqlite3.connect(tmp, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-4000000")  # 4 GB: the indexes stay in memory
    stamp = C.REF.isoformat(timespec="seconds")
    ref_day = C.REF.date()
    (tips,) = conn.execute("SELECT count(*) FROM tips").fetchone()
    conn.execute(
        "CREATE TEMP TABLE tipk AS SELECT row_number() OVER (ORDER BY position, id) - 1 AS k, "
        "id FROM tips"
    )
    conn.execute("BEGIN")
    conn.execute(
        f"""
        INSERT INTO subscribers (chat_id, subscribed, tip_time, timezone, next_due, tip_cursor,
                                 created_at, updated_at, subscribed_at)
        WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < {n - 1})
        SELECT {C.FIRST_CHAT} + n, 1, printf('%02d:%02d', (n * 7) % 24, (n * 13) % 60), 'UTC',
               {int(C.REF.timestamp())} + (n * 61) % 86400, n % {tips}, ?, ?, ?
        FROM seq
        """,
        [stamp] * 3,
    )
    conn.execute("COMMIT")
    for back in range(YEAR_DAYS - 1, -1, -1):
        day = (ref_day - timedelta(days=back)).isoformat()
        g = f"((chat_id * 40503 + {back} * 9973) % 1000)"
        # About 95% sent, 2% failed, 0.5% blocked, 2.45% skipped, 0.05% uncertain.
        status = (
            f"CASE WHEN {g} < 20 THEN 'failed' WHEN {g} < 25 THEN 'blocked' "
            f"WHEN {g} < 50 THEN 'skipped' WHEN {g} < 50.5 THEN 'uncertain' ELSE 'sent' END"
        )
        conn.execute("BEGIN")
        conn.execute(
            f"""
            INSERT INTO deliveries (chat_id, local_date, tip_id, status, message_id, attempts,
                                    updated_at, due_at)
            SELECT s.chat_id, ?, t.id, {status}, s.chat_id + {back}, 1, ?,
                   {int(C.REF.timestamp())} - {back * 86400}
            FROM subscribers s JOIN tipk t ON t.k = (s.tip_cursor + {YEAR_DAYS - back}) % {tips}
            ORDER BY s.chat_id
            """,
            [day, stamp],
        )
        if back % BROADCAST_EVERY == 0:
            ended = datetime.combine(ref_day - timedelta(days=back), datetime.min.time(), UTC)
            broadcast_id = conn.execute(
                "INSERT INTO broadcasts (from_chat_id, message_id, created_by, created_at, "
                "finished_at) VALUES (1, ?, 1, ?, ?)",
                [back + 1, ended.isoformat(), ended.isoformat()],
            ).lastrowid
            b = f"((chat_id * 2654435761 + {back}) % 1000)"
            conn.execute(
                "INSERT INTO broadcast_deliveries (broadcast_id, chat_id, status, updated_at) "
                f"SELECT ?, chat_id, CASE WHEN {b} < 10 THEN 'blocked' WHEN {b} < 15 "
                "THEN 'failed' ELSE 'sent' END, ? FROM subscribers ORDER BY chat_id",
                [broadcast_id, stamp],
            )
        conn.execute("COMMIT")
        if back % 60 == 0:
            print(f"  seeding: {YEAR_DAYS - back} of {YEAR_DAYS} days", flush=True)
    return final, C.finish_seed(conn, tmp, final, started)


def measure_size(path: Path) -> dict[str, Any]:
    store = Store(path)
    try:
        size = store.size()
        days = store.db.execute(
            "SELECT local_date, status, count FROM delivery_days ORDER BY 1, 2"
        ).fetchall()
        (summary_rows,) = store.db.execute("SELECT count(*) FROM delivery_days").fetchone()
    finally:
        store.close()
    return {
        "deliveries": size.deliveries,
        "broadcast_copies": size.broadcast_copies,
        "bytes_used": size.bytes_used,
        "file_bytes": path.stat().st_size,
        "summary_rows": summary_rows,
        "summary": days,
    }


async def run_retention(path: Path, keep_days: int, now: datetime = C.REF) -> dict[str, Any]:
    """The bot's retention job once over the file at ``now``, with a probe measuring how
    late the event loop wakes."""
    # As the running bot: no checkpoint inside a commit, one from a thread every 30 s
    # (bot.app._checkpoint), and at most 50 ms waiting for a lock (bot.app.LOCK_WAIT).
    store = Store(path, autocheckpoint=False)
    store.wait_for_locks(LOCK_WAIT)
    clock = C.FixedClock(now)
    services = Services(
        settings=C.settings("http://127.0.0.1:1/bot", path, keep_days=keep_days),
        store=store,
        contents=load_all(),
        clock=clock,
    )
    stamps: list[float] = []

    def timer() -> float:
        now = time.perf_counter()
        stamps.append(now)
        return now

    keeper = Retention(services, timer=timer)
    lateness: list[float] = []
    done = asyncio.Event()

    async def probe() -> None:
        loop = asyncio.get_running_loop()
        while not done.is_set():
            due = loop.time() + PROBE_SLEEP
            await asyncio.sleep(PROBE_SLEEP)
            lateness.append(loop.time() - due)

    wal_peak = 0

    async def checkpoints() -> None:
        nonlocal wal_peak
        wal = Path(str(path) + "-wal")
        while not done.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), CHECKPOINT_SECONDS)
            wal_peak = max(wal_peak, wal.stat().st_size if wal.exists() else 0)
            await asyncio.to_thread(store.checkpoint)

    probing = asyncio.create_task(probe())
    checkpointing = asyncio.create_task(checkpoints())
    started = time.perf_counter()
    run = await keeper.run()
    seconds = time.perf_counter() - started
    done.set()
    await probing
    await checkpointing
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    assert run is not None and run.stopped is None
    batches = [end - start for start, end in zip(stamps[::2], stamps[1::2], strict=True)]
    return {
        "deleted": run.deleted,
        "batches": run.batches,
        "seconds": seconds,
        "batch_ms": C.summary([b * 1000 for b in batches]),
        "longest_batch_ms": run.longest * 1000,
        "stall_ms": C.summary([late * 1000 for late in lateness]),
        "final_batch_size": keeper.sizes["deliveries"],
        "wal_peak_bytes": wal_peak,
    }


def vacuumed_bytes(path: Path) -> int:
    """The size of a compacted copy (VACUUM INTO), what a file holding only the data takes."""
    target = path.with_suffix(".vacuumed")
    target.unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    try:
        conn.execute("VACUUM INTO ?", [str(target)])
    finally:
        conn.close()
    size = target.stat().st_size
    target.unlink()
    return size


def part_year(n: int, keep_days: int) -> dict[str, Any]:
    print(f"Part 1: a year of history for {n:,} subscribers, then retention ({keep_days} days)")
    source, seeded = seed_year(n)
    work = C.work_copy(source, "year.db")
    try:
        store = Store(work)
        started = time.perf_counter()
        assert store.migrate()[0] == "m012_summaries"
        migrate_s = time.perf_counter() - started
        store.close()
        before = measure_size(work)
        result = asyncio.run(run_retention(work, keep_days))
        # The next day: one date ages out, as every day from now on.
        next_day = asyncio.run(run_retention(work, keep_days, C.REF + timedelta(days=1)))
        after = measure_size(work)
        assert before["summary"] == after["summary"], "the daily counts changed"
        compacted = vacuumed_bytes(work)
    finally:
        C.drop_copy(work)
    scale = MILLION / n
    per_row = before["bytes_used"] / (before["deliveries"] + before["broadcast_copies"])
    return {
        "subscribers": n,
        "scale_to_1m": scale,
        "seed_seconds": seeded,
        "m012_seconds": migrate_s,
        "before": {k: v for k, v in before.items() if k != "summary"},
        "after": {k: v for k, v in after.items() if k != "summary"},
        "after_vacuum_bytes": compacted,
        "bytes_per_row_before": per_row,
        "retention": result,
        "next_day": next_day,
        "at_1m": {
            "year_bytes": before["bytes_used"] * scale,
            "steady_bytes": after["bytes_used"] * scale,
            "steady_rows": after["deliveries"] * scale,
            "first_run_seconds": result["seconds"] * scale,
            "daily_run_seconds": next_day["seconds"] * scale,
        },
    }


# Part 2: /stats at 1M -----------------------------------------------------------------------

RAW_STATEMENT = (
    "SELECT local_date, status, count(*) FROM deliveries "
    "WHERE local_date >= ? AND local_date <= ? GROUP BY local_date, status"
)
SUMMARY_STATEMENT = (
    "SELECT local_date, status, count FROM delivery_days WHERE local_date >= ? AND local_date <= ?"
)


def part_stats(n: int, runs: int) -> dict[str, Any]:
    print(f"Part 2: /stats at {n:,} subscribers with {STATS_DAYS} days of delivery rows")
    source, seeded = stats_bench.seed_stats(n, history_days=STATS_DAYS)
    work = C.work_copy(source, "stats-window.db")
    try:
        store = Store(work)
        today = C.REF.date()
        window = [(today - timedelta(days=STATS_DAYS - 1)).isoformat(), today.isoformat()]
        (rows,) = store.db.execute("SELECT count(*) FROM deliveries").fetchone()
        times: dict[str, list[float]] = {"summary": [], "raw": [], "collect": []}
        same = None
        for _ in range(runs):
            for name, statement in (("summary", SUMMARY_STATEMENT), ("raw", RAW_STATEMENT)):
                started = time.perf_counter()
                found = sorted(store.db.execute(statement, window).fetchall())
                times[name].append(time.perf_counter() - started)
                if name == "summary":
                    summary_found = [row for row in found if row[2]]
                else:
                    same = summary_found == found
            started = time.perf_counter()
            store.stats(C.REF)
            times["collect"].append(time.perf_counter() - started)
        store.close()
        env = {**os.environ, "BACKCARE_DB": str(work), "PYTHONPATH": str(C.CODE)}
        cli = []
        for _ in range(max(1, runs // 2)):
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "bot", "stats"],
                cwd=C.CODE,
                env=env,
                check=True,
                capture_output=True,
            )
            cli.append(time.perf_counter() - started)
    finally:
        C.drop_copy(work)
    return {
        "subscribers": n,
        "delivery_rows": rows,
        "seed_seconds": seeded,
        "same_figures": same,
        "summary_ms": C.summary([t * 1000 for t in times["summary"]]),
        "raw_ms": C.summary([t * 1000 for t in times["raw"]]),
        "collect_ms": C.summary([t * 1000 for t in times["collect"]]),
        "cli_s": C.summary(cli),
    }


# Report ----------------------------------------------------------------------------------------


def report(year: dict[str, Any], window: dict[str, Any] | None, keep_days: int) -> None:
    b, a, r, d = year["before"], year["after"], year["retention"], year["next_day"]
    mib = 2**20
    print()
    print(
        C.table(
            ["", "before", "after"],
            [
                ["delivery rows", f"{b['deliveries']:,}", f"{a['deliveries']:,}"],
                ["broadcast copies", f"{b['broadcast_copies']:,}", f"{a['broadcast_copies']:,}"],
                ["daily-count rows", f"{b['summary_rows']:,}", f"{a['summary_rows']:,}"],
                ["MiB in use", f"{b['bytes_used'] / mib:,.0f}", f"{a['bytes_used'] / mib:,.0f}"],
                ["file MiB", f"{b['file_bytes'] / mib:,.0f}", f"{a['file_bytes'] / mib:,.0f}"],
                ["after VACUUM INTO, MiB", "", f"{year['after_vacuum_bytes'] / mib:,.0f}"],
            ],
        )
    )
    print()
    print(
        C.table(
            ["retention run", "first (the year)", "next day"],
            [
                ["rows deleted", _total(r), _total(d)],
                ["run (s)", f"{r['seconds']:.1f}", f"{d['seconds']:.1f}"],
                ["batches", f"{r['batches']:,}", f"{d['batches']:,}"],
                ["batch ms, median / p95 / max", _triple(r["batch_ms"]), _triple(d["batch_ms"])],
                [
                    "loop stall ms, median / p95 / max",
                    _triple(r["stall_ms"]),
                    _triple(d["stall_ms"]),
                ],
                [
                    "last delivery batch size",
                    f"{r['final_batch_size']:,}",
                    f"{d['final_batch_size']:,}",
                ],
                ["WAL file at most, MiB", _mib(r["wal_peak_bytes"]), _mib(d["wal_peak_bytes"])],
            ],
        )
    )
    print(f"m012 on the year: {year['m012_seconds']:.1f} s")
    scaled = year["at_1m"]
    gib = 2**30
    print()
    print(f"Scaled to 1M subscribers (x{year['scale_to_1m']:g}):")
    print(f"  a year with no retention: {scaled['year_bytes'] / gib:,.1f} GiB in use")
    print(f"  steady state, {keep_days} days kept: {scaled['steady_bytes'] / gib:,.1f} GiB in use")
    print(
        f"  the first run over a year's backlog: about {scaled['first_run_seconds'] / 60:,.0f} min"
    )
    print(f"  each day's run after that: about {scaled['daily_run_seconds']:,.0f} s")
    if window is not None:
        print()
        print(
            C.table(
                [
                    f"/stats at {window['subscribers']:,}, {window['delivery_rows']:,} rows",
                    "median",
                    "p95",
                    "max",
                ],
                [
                    ["daily counts (now), ms", *_row(window["summary_ms"])],
                    ["raw rows (before), ms", *_row(window["raw_ms"])],
                    ["whole stats() now, ms", *_row(window["collect_ms"])],
                    ["python -m bot stats, s", *_row(window["cli_s"], "{:.2f}")],
                ],
            )
        )
        ratio = window["raw_ms"]["median"] / max(window["summary_ms"]["median"], 1e-6)
        print(f"  raw / daily counts: {ratio:,.0f}x; same figures: {window['same_figures']}")


def _total(run: dict[str, Any]) -> str:
    return f"{sum(run['deleted'].values()):,}"


def _mib(size: int) -> str:
    return f"{size / 2**20:,.0f}"


def _triple(s: dict[str, float]) -> str:
    return f"{s['median']:.1f} / {s['p95']:.1f} / {s['max']:.1f}"


def _row(s: dict[str, float], fmt: str = "{:.1f}") -> list[str]:
    return [fmt.format(s["median"]), fmt.format(s["p95"]), fmt.format(s["max"])]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5,000 subscribers, no part 2")
    parser.add_argument("--subscribers", type=int, default=50_000)
    parser.add_argument("--keep-days", type=int, default=DEFAULT_KEEP_DAYS)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--stats-subscribers", type=int, default=MILLION)
    C.add_smoke(parser)
    args = parser.parse_args()
    C.quiet_logs()
    n = 300 if args.smoke else 5_000 if args.quick else args.subscribers
    year = part_year(n, args.keep_days)
    window: dict[str, Any] | None = None
    if args.smoke:
        window = part_stats(2_000, 1)
    elif not args.quick:
        window = part_stats(args.stats_subscribers, args.runs)
    report(year, window, args.keep_days)
    path = C.write_results(
        "retention",
        {"year": year, "stats": window, "quick": args.quick, "smoke": args.smoke},
    )
    if path is not None:
        print(f"\nresults: {path.relative_to(C.ROOT)}")
    shutil.rmtree(C.CACHE / "work", ignore_errors=True)


if __name__ == "__main__":
    main()
