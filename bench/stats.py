"""Operators' figures at 1M subscribers: ``Store.stats(now)``, the work
behind ``backcare-bot stats`` and /stats.

A file at the current schema (cached in /tmp/backcare-bench, keyed by the migrations) holds
1M subscribers in eight timezones (about 88% active, 3% paused, 1% with a pause that has
ended, 3% blocked, 6% unsubscribed), 7 days of delivery rows per subscriber (7M rows: mostly
sent, about 2% failed and 2.5% skipped, and today a few claimed, sending or uncertain),
700k check-ins over 30 days and 300k feedback answers over the 38 tips. Seeded set-based,
with INSERT ... SELECT from recursive CTEs; like the bot, it never runs ANALYZE.

Timed side by side in one run, alternating: ``stats()`` on a copy as migrated (with m008's
index on deliveries(local_date, status)) and on a copy where that index is dropped. Each
variant has its own Store, opened once, as the bot keeps one. Then one extra run of each
with every SQL statement timed, and ``python -m bot stats`` end to end (wall time from spawn
to exit, interpreter start and imports included) on each copy.

    /tmp/venv/bin/python bench/stats.py [--quick | --smoke] [--runs N] [--subscribers N]
"""

from __future__ import annotations

import argparse
import gc
import os
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import _common as C

from storage import Stats, Store

#: Zones of the seeded subscribers: fixed, DST-observing, half-hour, both sides of UTC.
STATS_ZONES = (
    "UTC",
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "UTC+03:00",
)
HISTORY_DAYS = 7
CHECKIN_DAYS = 30
TARGET_S = 2.0
#: No variant is timed more than this in all (the loop is bounded in count and in time).
DEADLINE_S = 300


# Seeding ---------------------------------------------------------------------------------


def seed_stats(n: int, history_days: int = HISTORY_DAYS) -> tuple[Path, float | None]:
    """The cached file for ``n`` subscribers with ``history_days`` days of delivery rows,
    and the seconds seeding took (None: reused)."""
    final = C.CACHE / f"stats-{n}-{history_days}d-{C._schema_key()}.db"
    if final.exists():
        return final, None
    tmp, conn, started = C._start_seed(final)
    ref_day = C.REF.date()
    ref_ts = int(C.REF.timestamp())
    stamp = C.REF.isoformat(timespec="seconds")
    # Pseudo-random buckets 0..999 from the chat id (multiplicative hashing), one per
    # property, so that states, statuses, check-ins and feedback are not aligned.
    h = "(({col} * 2654435761) % 1000)"
    conn.execute("CREATE TEMP TABLE zones (k INTEGER PRIMARY KEY, name TEXT)")
    conn.executemany("INSERT INTO zones VALUES (?, ?)", list(enumerate(STATS_ZONES)))
    conn.execute(
        "CREATE TEMP TABLE tipk AS SELECT row_number() OVER (ORDER BY position, id) - 1 AS k, "
        "id FROM tips"
    )
    (tips,) = conn.execute("SELECT count(*) FROM tipk").fetchone()
    conn.execute("BEGIN")
    state = h.format(col="n")
    conn.execute(
        f"""
        INSERT INTO subscribers (chat_id, subscribed, tip_time, timezone, next_due, tip_cursor,
                                 created_at, updated_at, blocked, days, resume_on,
                                 subscribed_at, language)
        WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < {n - 1})
        SELECT {C.FIRST_CHAT} + n,
               CASE WHEN {state} < 60 THEN 0 ELSE 1 END,
               printf('%02d:%02d', (n * 7) % 24, (n * 13) % 60),
               z.name,
               CASE WHEN {state} < 90 THEN NULL ELSE {ref_ts} + (n * 61) % 86400 - 43200 END,
               n % {tips}, ?, ?,
               CASE WHEN {state} < 20 OR {state} >= 60 AND {state} < 90 THEN 1 ELSE 0 END,
               CASE WHEN n % 10 = 9 THEN 31 ELSE 127 END,
               CASE WHEN {state} >= 90 AND {state} < 120
                      THEN date('{ref_day}', '+' || (1 + n % 14) || ' days')
                    WHEN {state} >= 120 AND {state} < 130
                      THEN date('{ref_day}', '-' || (1 + n % 10) || ' days')
               END,
               CASE WHEN {state} < 60 THEN NULL ELSE ? END,
               CASE WHEN n % 3 = 0 THEN 'ru' ELSE 'en' END
        FROM seq JOIN zones z ON z.k = n % {len(STATS_ZONES)}
        """,
        [stamp, stamp, stamp],
    )
    # Delivery rows are appended a day at a time, as the bot writes them.
    for back in range(history_days - 1, -1, -1):
        day = (ref_day - timedelta(days=back)).isoformat()
        g = f"((chat_id * 40503 + {back} * 9973) % 1000)"
        today = back == 0
        status = (
            f"CASE WHEN {g} < 3 THEN 'claimed' WHEN {g} < 5 THEN 'sending' "
            f"WHEN {g} < 6 THEN 'uncertain' WHEN {g} < 26 THEN 'failed' "
            f"WHEN {g} < 51 THEN 'skipped' ELSE 'sent' END"
            if today
            else f"CASE WHEN {g} < 20 THEN 'failed' WHEN {g} < 45 THEN 'skipped' ELSE 'sent' END"
        )
        conn.execute(
            f"""
            INSERT INTO deliveries (chat_id, local_date, tip_id, status, message_id, attempts,
                                    updated_at, due_at)
            SELECT s.chat_id, ?, t.id, {status}, s.chat_id, 1, ?, {ref_ts} - {back * 86400}
            FROM subscribers s JOIN tipk t ON t.k = (s.tip_cursor + {history_days - back}) % {tips}
            ORDER BY s.chat_id
            """,
            [day, stamp],
        )
    # Check-ins: 4% of chats about every other day (600k), 10% once in the month (100k).
    c = h.format(col="(s.chat_id * 7)")
    conn.execute(
        f"""
        INSERT INTO checkins (chat_id, local_date, score, created_at)
        WITH RECURSIVE days(d) AS (SELECT {CHECKIN_DAYS - 1} UNION ALL
                                   SELECT d - 1 FROM days WHERE d > 0),
             chats AS MATERIALIZED (SELECT chat_id, {c} AS c FROM subscribers s WHERE {c} < 140)
        SELECT s.chat_id, date('{ref_day}', '-' || d || ' days'), (s.chat_id + d) % 11, ?
        FROM days JOIN chats s
        WHERE (s.c < 40 AND (s.chat_id + d) % 2 = 0)
           OR (s.c >= 40 AND s.chat_id % {CHECKIN_DAYS} = d)
        ORDER BY d DESC, s.chat_id
        """,
        [stamp],
    )
    # Feedback: 25% of chats answered one tip, 5% a second one; three tips are disliked.
    f = h.format(col="(s.chat_id * 11)")
    disliked = (3, 17, 29)
    conn.execute(
        f"""
        INSERT INTO feedback (chat_id, tip_id, helpful, created_at, updated_at)
        SELECT s.chat_id, t.id,
               CASE WHEN t.k IN {disliked} THEN (s.chat_id / 7) % 10 >= 6
                    ELSE (s.chat_id / 7) % 10 >= 2 END, ?, ?
        FROM subscribers s JOIN (SELECT 0 AS j UNION ALL SELECT 1) x
             JOIN tipk t ON t.k = (s.chat_id + 11 * x.j) % {tips}
        WHERE {f} < 250 AND (x.j = 0 OR {f} < 50)
        ORDER BY s.chat_id, x.j
        """,
        [stamp, stamp],
    )
    conn.execute("COMMIT")
    return final, C.finish_seed(conn, tmp, final, started)


def counts(path: Path) -> dict[str, Any]:
    conn = sqlite3.connect(path)
    try:
        out: dict[str, Any] = {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("subscribers", "deliveries", "checkins", "feedback")
        }
        out["feedback_tips"] = conn.execute(
            "SELECT count(DISTINCT tip_id) FROM feedback"
        ).fetchone()[0]
        out["checkin_chats"] = conn.execute(
            "SELECT count(DISTINCT chat_id) FROM checkins"
        ).fetchone()[0]
        out["delivery_statuses"] = dict(
            conn.execute("SELECT status, count(*) FROM deliveries GROUP BY status").fetchall()
        )
        out["zones"] = len(STATS_ZONES)
        out["file_mib"] = path.stat().st_size / 2**20
    finally:
        conn.close()
    return out


def drop_day_status_index(path: Path) -> str:
    """Drop the index on deliveries (local_date, status) and return its name."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        names = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'deliveries'"
            ).fetchall()
            if [row[2] for row in conn.execute(f'PRAGMA index_info("{name}")').fetchall()]
            == ["local_date", "status"]
        ]
        if len(names) != 1:
            raise RuntimeError(f"expected one deliveries(local_date, status) index, got {names}")
        conn.execute(f'DROP INDEX "{names[0]}"')
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return names[0]


# Timing ----------------------------------------------------------------------------------


class _TimedCursor:
    def __init__(self, cursor: sqlite3.Cursor, sql: str, started: float, log: list) -> None:
        self.cursor, self.sql, self.started, self.log = cursor, sql, started, log

    def _done(self, result: Any) -> Any:
        self.log.append((self.sql, time.perf_counter() - self.started))
        return result

    def fetchall(self) -> list[Any]:
        return self._done(self.cursor.fetchall())

    def fetchone(self) -> Any:
        return self._done(self.cursor.fetchone())

    def __iter__(self) -> Any:
        return iter(self.fetchall())


class _TimedDb:
    """The store's database, with each statement timed from execute to its last row."""

    def __init__(self, db: Any, log: list) -> None:
        self.db, self.log = db, log

    def execute(self, sql: str, params: Any = None) -> _TimedCursor:
        started = time.perf_counter()
        cursor = self.db.execute(sql, params or [])
        return _TimedCursor(cursor, sql, started, self.log)


def _label(sql: str) -> str:
    text = " ".join(sql.split())
    for key, label in (
        ("FROM subscriber_counts", "subscribers: kept counts by state, pause, check-in (m019)"),
        ("FROM delivery_days", "deliveries: kept counts per day and status (m012)"),
        ("FROM checkin_last_days", "check-ins: kept chats by latest date (m019)"),
        ("FROM checkin_days", "check-ins: kept counts per day (m019)"),
        ("FROM feedback_counts", "feedback: kept counts per tip (m019)"),
        ("FROM subscribers s WHERE", "subscribers: paused by zone + check-ins"),
        (
            "FROM subscribers WHERE subscribed != 0 AND blocked = 0 AND chat_id IN",
            "subscribers: active with a recent check-in",
        ),
        ("FROM subscribers", "subscribers: counts by state"),
        ("FROM deliveries", "deliveries: per day and status, 30 days"),
        ("max(local_date)", "check-ins: chats in 7 and 30 days"),
        ("FROM checkins", "check-ins: per day, 30 days"),
        ("FROM feedback", "feedback: per tip"),
    ):
        if key in text:
            return label
    return text[:60]


def per_statement(store: Store) -> tuple[dict[str, float], float]:
    """One stats() with each of its statements timed (seconds), and the whole (seconds)."""
    log: list[tuple[str, float]] = []
    proxy = SimpleNamespace(db=_TimedDb(store.db, log))
    started = time.perf_counter()
    Store.stats(proxy, C.REF)  # type: ignore[arg-type]
    total = time.perf_counter() - started
    parts: dict[str, float] = {}
    for sql, seconds in log:
        parts[_label(sql)] = parts.get(_label(sql), 0.0) + seconds
    return parts, total


def query_plan(store: Store) -> list[str]:
    """How SQLite runs the deliveries statement of stats()."""
    first = (C.REF.date() - timedelta(days=29)).isoformat()
    rows = store.db.execute(
        "EXPLAIN QUERY PLAN SELECT local_date, status, count(*) FROM deliveries "
        "WHERE local_date >= ? AND local_date <= ? GROUP BY local_date, status",
        [first, C.REF.date().isoformat()],
    ).fetchall()
    return [row[3] for row in rows]


def cli_wall(db: Path) -> dict[str, Any]:
    """``python -m bot stats`` on ``db``: wall time from spawn to exit, as an operator waits."""
    env = {**os.environ, "BACKCARE_DB": str(db), "BACKCARE_LOG_LEVEL": "WARNING"}
    env.pop("BACKCARE_TOKEN", None)
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "stats"],
        cwd=C.CODE,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"`python -m bot stats` exited {proc.returncode}: {proc.stderr}")
    return {"wall_s": wall, "output_lines": len(proc.stdout.splitlines())}


def figures(stats: Stats) -> dict[str, Any]:
    """What stats() found, to show the seed as the operator sees it."""
    people, today, checkins = stats.subscribers, stats.deliveries_today, stats.checkins
    return {
        "active": people.active,
        "paused": people.paused,
        "blocked": people.blocked,
        "unsubscribed": people.unsubscribed,
        "today": {
            "sent": today.sent,
            "failed": today.failed,
            "skipped": today.skipped,
            "uncertain": today.uncertain,
            "in_flight": today.in_flight,
        },
        "days_with_deliveries": sum(1 for day in stats.days if day.sent or day.failed),
        "checkins_in_window": sum(day.checkins for day in stats.days),
        "checkin_chats_recent": checkins.chats_recent,
        "checkin_chats_month": checkins.chats_month,
        "active_recent": checkins.active_recent,
        "tips_with_feedback": len(stats.feedback),
        "answers": sum(tip.answers for tip in stats.feedback),
        "flagged": [tip.tip_id for tip in stats.flagged],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--runs", type=int, default=5, help="timed stats() runs per variant")
    parser.add_argument("--subscribers", type=int, default=None)
    C.add_smoke(parser)
    args = parser.parse_args()
    if args.smoke:
        args.runs = 1
    n = args.subscribers or (2_000 if args.smoke else 100_000 if args.quick else 1_000_000)
    started = time.monotonic()
    source, seed_s = seed_stats(n)
    seeded = counts(source)
    print(
        f"stats: store.stats(now) x {args.runs} per variant on {n:,} subscribers, "
        f"{seeded['deliveries']:,} deliveries, {seeded['checkins']:,} check-ins, "
        f"{seeded['feedback']:,} feedback rows ({seeded['file_mib']:,.0f} MiB)",
        flush=True,
    )

    copy_started = time.perf_counter()
    indexed = C.work_copy(source, "stats-indexed.db")
    plain = C.work_copy(source, "stats-noindex.db")
    dropped = drop_day_status_index(plain)
    copy_s = time.perf_counter() - copy_started
    variants = {"with": indexed, "without": plain}
    stores = {key: Store(path) for key, path in variants.items()}
    times: dict[str, list[float]] = {key: [] for key in variants}
    results: dict[str, Stats] = {}
    gc.collect()
    deadline = time.monotonic() + DEADLINE_S
    # Alternating, so that both variants see the same machine.
    for _ in range(args.runs):
        for key, store in stores.items():
            t0 = time.perf_counter()
            results[key] = store.stats(C.REF)
            times[key].append(time.perf_counter() - t0)
        if time.monotonic() > deadline:
            break
    same = results["with"] == results["without"]
    plans = {key: query_plan(store) for key, store in stores.items()}
    parts = {key: per_statement(store) for key, store in stores.items()}
    for store in stores.values():
        store.close()
    cli = {key: cli_wall(path) for key, path in variants.items()}
    for copy in variants.values():
        C.drop_copy(copy)
    elapsed = time.monotonic() - started

    summaries = {key: C.summary(values) for key, values in times.items()}
    ratio = summaries["without"]["median"] / summaries["with"]["median"]
    labels = {
        "with": f"as migrated (m008 index {dropped})",
        "without": "index on deliveries (local_date, status) dropped",
    }
    rows = [
        [
            labels[key],
            s["n"],
            s["median"],
            s["p95"],
            s["min"],
            s["max"],
            times[key][0],
            cli[key]["wall_s"],
        ]
        for key, s in summaries.items()
    ]
    table = C.table(
        ["stats()", "runs", "median s", "p95 s", "min s", "max s", "first s", "CLI wall s"],
        rows,
    )
    print()
    print(table)
    print(f"\nratio without / with the index (medians): {ratio:.2f}x")
    print(f"results identical in both variants: {same}")
    names = list(parts["with"][0])
    part_rows = [[name, parts["with"][0][name], parts["without"][0][name]] for name in names]
    part_rows.append(["whole stats() (this run)", parts["with"][1], parts["without"][1]])
    part_table = C.table(["statement (one run each)", "with s", "without s"], part_rows)
    print("\nper statement:\n" + part_table)
    for key, plan in plans.items():
        print(f"plan of the deliveries statement, {key} the index: {'; '.join(plan)}")
    found = figures(results["with"])
    print(
        f"\nstats() found: {found['active']:,} active, {found['paused']:,} paused, "
        f"{found['blocked']:,} blocked, {found['unsubscribed']:,} unsubscribed; today "
        f"{found['today']}; {found['checkins_in_window']:,} check-ins by "
        f"{found['checkin_chats_month']:,} chats ({found['checkin_chats_recent']:,} in 7 days); "
        f"{found['answers']:,} answers over {found['tips_with_feedback']} tips, flagged "
        f"{found['flagged']}"
    )
    # The CLI counts at the wall clock, not at REF: its window must still hold the history.
    wall_day = datetime.now(UTC).date()
    ref_day = C.REF.date()
    cli_window_ok = ref_day <= wall_day <= ref_day + timedelta(days=29 - (HISTORY_DAYS - 1))
    if not cli_window_ok:
        print(
            f"WARNING: today ({wall_day}) is not within 23 days after {ref_day}: the CLI's "
            "30-day window does not hold the seeded week, so its wall time understates the work"
        )
    with_median = summaries["with"]["median"]
    verdict = {
        "subscribers": n,
        "median_with_index_under_2s": with_median < TARGET_S,
        "max_with_index_under_2s": summaries["with"]["max"] < TARGET_S,
        "cli_wall_with_index_under_2s": cli["with"]["wall_s"] < TARGET_S,
    }
    scale = "" if n == 1_000_000 else f" (at {n:,}, not the 1M of the target)"
    print(
        f"\ntarget < {TARGET_S:g} s at 1M with the index{scale}: median {with_median:.2f} s -> "
        f"{verdict['median_with_index_under_2s']}; max {summaries['with']['max']:.2f} s -> "
        f"{verdict['max_with_index_under_2s']}; CLI wall {cli['with']['wall_s']:.2f} s -> "
        f"{verdict['cli_wall_with_index_under_2s']}"
    )
    path = C.write_results(
        "stats",
        {
            "quick": args.quick,
            "smoke": args.smoke,
            "subscribers": n,
            "seeded": seeded,
            "seed_s": seed_s,
            "copy_and_drop_s": copy_s,
            "elapsed_s": elapsed,
            "dropped_index": dropped,
            "collect_s": summaries,
            "collect_s_all": times,
            "ratio_without_over_with": ratio,
            "results_identical": same,
            "per_statement_s": {key: value[0] for key, value in parts.items()},
            "per_statement_total_s": {key: value[1] for key, value in parts.items()},
            "deliveries_plan": plans,
            "cli": cli,
            "cli_date": wall_day.isoformat(),
            "cli_window_holds_history": cli_window_ok,
            "figures": found,
            "targets": verdict,
            "table": table,
            "per_statement_table": part_table,
        },
    )
    if path is not None:
        print(f"\nwrote {path.relative_to(C.ROOT)} ({elapsed:.0f} s)")


if __name__ == "__main__":
    main()
