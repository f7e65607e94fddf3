"""Dispatcher cost per tick at 1M subscribers: ``Store.claim_due(now, limit=200)``.

On a fresh copy of a 1M-subscriber file (five timezones, tip times spread over the day;
at the benchmark's instant about 538k are due: a backlog), each call selects the 200
earliest due through the partial index on ``next_due`` and claims them in one transaction
(a "claimed" delivery row each, ``next_due`` moved to tomorrow). Timed with perf_counter
around each call, as the Dispatcher makes it (the Store opened exactly as the bot opens it).

Also measured: the idle probe (claim_due when nothing is due: what most ticks cost), the
same claims with WAL auto-checkpoints off (a diagnostic that attributes the tail; the bot
does not run like that), optionally the same claims with 7 days of delivery history in the
file, and a cProfile of 20 batches grouped by where the time goes.

    /tmp/venv/bin/python bench/dispatch.py [--quick | --smoke] [--batches N] [--history-days D]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import sqlite3
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import _common as C

from storage import Store

LIMIT = 200


def timed_claims(db: Path, batches: int, *, autocheckpoint: bool = False) -> dict[str, Any]:
    """Time claim_due batches. As the bot runs it (autocheckpoint False), SQLite's own
    checkpoints are off and a thread checkpoints the WAL; here every second, more often than
    the bot's 30 s, so its contention is in the figures."""
    store = Store(db, autocheckpoint=autocheckpoint)
    stop = threading.Event()
    checkpointer = threading.Thread(
        target=lambda: [store.checkpoint() for _ in iter(lambda: stop.wait(1.0), True)],
        daemon=True,
    )
    if not autocheckpoint:
        checkpointer.start()
    times: list[float] = []
    counts: list[int] = []
    deadline = time.monotonic() + 120
    for _ in range(batches):
        started = time.perf_counter()
        claims = store.claim_due(C.REF, LIMIT)
        times.append((time.perf_counter() - started) * 1000)
        counts.append(len(claims))
        if not claims or time.monotonic() > deadline:
            break
    stop.set()
    if checkpointer.is_alive():
        checkpointer.join()
    store.close()
    per_claim = [t / c * 1000 for t, c in zip(times, counts, strict=True) if c]
    return {
        "batch_ms": C.summary(times),
        "first_batch_ms": times[0],
        "batches_over_20ms": sum(1 for t in times if t >= 20),
        "per_claim_us": C.summary(per_claim),
        "claimed": sum(counts),
        "batches": len(times),
        "batch_ms_all": times,
    }


def idle_probe(db: Path, probes: int) -> dict[str, Any]:
    """claim_due when nothing is due (a day before the earliest next_due)."""
    store = Store(db)
    quiet = C.REF - timedelta(days=1)
    times = []
    for _ in range(probes):
        started = time.perf_counter()
        claims = store.claim_due(quiet, LIMIT)
        times.append((time.perf_counter() - started) * 1000)
        assert not claims
    store.close()
    return C.summary(times)


def add_history(source: Path, days: int) -> Path:
    """A copy of ``source`` with ``days`` days of "sent" delivery rows per subscriber (cached)."""
    final = source.with_name(source.stem + f"-history{days}.db")
    if final.exists():
        return final
    tmp = final.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    started = time.perf_counter()
    tmp.write_bytes(source.read_bytes())
    conn = sqlite3.connect(tmp, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("BEGIN")
    for back in range(days, 0, -1):
        day = (C.REF - timedelta(days=back)).date().isoformat()
        conn.execute(
            "INSERT INTO deliveries (chat_id, local_date, tip_id, status, message_id, attempts,"
            " updated_at, due_at) SELECT chat_id, ?, NULL, 'sent', chat_id, 1, ?, next_due - ?"
            " FROM subscribers ORDER BY chat_id",
            [day, C.REF.isoformat(), back * 86400],
        )
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    for suffix in ("-wal", "-shm"):
        Path(str(tmp) + suffix).unlink(missing_ok=True)
    tmp.rename(final)
    print(f"  seeded {final.name} in {time.perf_counter() - started:.1f} s", flush=True)
    return final


def _category(filename: str, name: str) -> str:
    if "sqlite3.Connection" in name or "sqlite3.Cursor" in name:
        return "sqlite3 C calls (SQL execution)"
    if "sqlite_utils" in filename:
        return "sqlite-utils Python wrappers"
    if (
        filename.endswith("storage/rules/schedule.py")
        or "datetime" in name
        or "zoneinfo" in filename
    ):
        return "schedule / datetime math"
    if filename.endswith("storage/store.py"):
        return "storage/store.py own code"
    return "other"


def profile(db: Path, batches: int) -> dict[str, Any]:
    store = Store(db)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(batches):
        store.claim_due(C.REF, LIMIT)
    profiler.disable()
    store.close()
    stats = pstats.Stats(profiler)
    total = stats.total_tt  # type: ignore[attr-defined]
    by_category: dict[str, float] = {}
    top = []
    calls: dict[str, int] = {}
    for (filename, line, name), (_cc, nc, tt, ct, _) in stats.stats.items():  # type: ignore[attr-defined]
        by_category[_category(filename, name)] = by_category.get(_category(filename, name), 0) + tt
        label = f"{Path(filename).name}:{line}({name})" if line else name
        top.append((tt, ct, nc, label))
        calls[label] = nc
    top.sort(reverse=True)
    return {
        "batches": batches,
        "total_s": total,
        "by_category_s": dict(sorted(by_category.items(), key=lambda kv: -kv[1])),
        "top_tottime": [
            {"function": label, "tottime_s": tt, "cumtime_s": ct, "calls": nc}
            for tt, ct, nc, label in top[:15]
        ],
        "sql_statements_per_claim": calls.get(
            "<method 'execute' of 'sqlite3.Connection' objects>", 0
        )
        / (batches * LIMIT),
        "sqlite_master_lookups_per_claim": calls.get(
            next((k for k in calls if "(table_names)" in k), ""), 0
        )
        / (batches * LIMIT),
    }


def sql_trace(db: Path) -> dict[str, Any]:
    """SQL statements the Store issues per claim (in claim_due), per mark_sending and per
    mark_sent, by kind, from sqlite3's trace callback."""
    store = Store(db)
    counts: dict[str, dict[str, int]] = {}
    current = ""

    def kind(sql: str) -> str:
        text = sql.lstrip().lower()
        if "sqlite_master" in text or text.startswith("pragma"):
            return "schema lookups (sqlite_master, PRAGMA table_info)"
        if text.startswith(("begin", "commit", "savepoint", "release", "rollback")):
            return "transaction control (BEGIN/COMMIT/SAVEPOINT/RELEASE)"
        return "data (SELECT/INSERT/UPDATE)"

    def trace(sql: str) -> None:
        bucket = counts.setdefault(current, {})
        bucket[kind(sql)] = bucket.get(kind(sql), 0) + 1

    store.db.conn.set_trace_callback(trace)
    current = "claim_due"
    claims = store.claim_due(C.REF, LIMIT)
    current = "mark_sending"
    store.mark_sending(claims[0], C.REF)
    current = "mark_sent"
    store.mark_sent(claims[0], 1, C.REF)
    store.db.conn.set_trace_callback(None)
    store.close()
    per = {"claim_due": len(claims), "mark_sending": 1, "mark_sent": 1}
    return {
        op: {"total": sum(kinds.values()) / per[op], **{k: v / per[op] for k, v in kinds.items()}}
        for op, kinds in counts.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--batches", type=int, default=None)
    parser.add_argument("--subscribers", type=int, default=1_000_000)
    parser.add_argument(
        "--history-days",
        type=int,
        default=None,
        help="also run with this many days of delivery history (0: skip)",
    )
    C.add_smoke(parser)
    args = parser.parse_args()
    if args.smoke:
        args.subscribers = 5_000
    batches = args.batches or (5 if args.smoke else 50 if args.quick else 200)
    history_days = args.history_days if args.history_days is not None else (0 if args.quick else 7)
    if args.smoke and args.history_days is None:
        history_days = 1
    started = time.monotonic()
    source = C.seed_spread(args.subscribers)
    print(
        f"dispatch: claim_due(now, limit={LIMIT}) x {batches} on {args.subscribers:,} subscribers",
        flush=True,
    )

    runs: dict[str, Any] = {}
    gc.collect()
    db = C.work_copy(source, "dispatch.db")
    runs["default"] = timed_claims(db, batches)
    runs["idle"] = idle_probe(db, batches)
    C.drop_copy(db)
    db = C.work_copy(source, "dispatch.db")
    runs["autocheckpoint"] = timed_claims(db, batches, autocheckpoint=True)
    C.drop_copy(db)
    if history_days:
        db = C.work_copy(add_history(source, history_days), "dispatch-history.db")
        runs[f"history_{history_days}d"] = timed_claims(db, batches)
        C.drop_copy(db)
    db = C.work_copy(source, "dispatch.db")
    prof = profile(db, 20)
    C.drop_copy(db)
    db = C.work_copy(source, "dispatch.db")
    trace = sql_trace(db)
    C.drop_copy(db)
    elapsed = time.monotonic() - started

    labels = {
        "default": "as the bot runs (checkpoints in a thread)",
        "autocheckpoint": "SQLite's autocheckpoint on the loop (before)",
        f"history_{history_days}d": f"with {history_days} days of delivery history",
    }
    rows = []
    for key, label in labels.items():
        if key not in runs:
            continue
        r = runs[key]
        rows.append(
            [
                label,
                r["batches"],
                r["claimed"],
                r["batch_ms"]["median"],
                r["batch_ms"]["p95"],
                r["batch_ms"]["max"],
                r["batches_over_20ms"],
                r["first_batch_ms"],
                r["per_claim_us"]["median"],
            ]
        )
    print()
    table = C.table(
        [
            "run",
            "batches",
            "claimed",
            "median ms",
            "p95 ms",
            "max ms",
            "batches >= 20 ms",
            "first ms",
            "per claim µs (med)",
        ],
        rows,
    )
    print(table)
    idle = runs["idle"]
    print(f"\nidle probe (nothing due): median {idle['median']:.3f} ms, p95 {idle['p95']:.3f} ms")
    base = runs["default"]["batch_ms"]
    diag = runs["autocheckpoint"]["batch_ms"]
    print(f"p95 ratio autocheckpoint-on / as the bot runs: {diag['p95'] / base['p95']:.2f}")
    print(
        f"\ncProfile, {prof['batches']} batches ({prof['total_s'] * 1000 / prof['batches']:.1f} "
        "ms per batch under the profiler):"
    )
    for category, seconds in prof["by_category_s"].items():
        print(f"  {category:<34} {seconds / prof['total_s'] * 100:5.1f} %")
    for entry in prof["top_tottime"][:8]:
        print(
            f"  {entry['tottime_s'] * 1000 / prof['batches']:6.2f} ms/batch  "
            f"{entry['calls'] // prof['batches']:>6} calls/batch  {entry['function']}"
        )
    print("\nSQL statements per operation (sqlite3 trace):")
    for op, kinds in trace.items():
        detail = ", ".join(f"{v:g} {k.split(' (')[0]}" for k, v in kinds.items() if k != "total")
        print(f"  {op:<13} {kinds['total']:5.2f}  ({detail})")
    verdict = {"median_under_20ms": base["median"] < 20, "p95_under_20ms": base["p95"] < 20}
    print(
        f"\ntarget < 20 ms per batch: median {base['median']:.1f} ms -> "
        f"{verdict['median_under_20ms']}; p95 {base['p95']:.1f} ms -> {verdict['p95_under_20ms']}"
    )
    path = C.write_results(
        "dispatch",
        {
            "quick": args.quick,
            "smoke": args.smoke,
            "subscribers": args.subscribers,
            "limit": LIMIT,
            "elapsed_s": elapsed,
            "runs": runs,
            "profile": prof,
            "sql_per_operation": trace,
            "targets": verdict,
            "table": table,
        },
    )
    if path is not None:
        print(f"\nwrote {path.relative_to(C.ROOT)} ({elapsed:.0f} s)")


if __name__ == "__main__":
    main()
