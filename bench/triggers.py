"""What m012's triggers cost on the daily tip's hot path: the three writes each tip makes
to the delivery log (claim, sending, sent), timed side by side on two copies of one file,
one with the triggers and one without.

    .venv/bin/python bench/triggers.py [--smoke] [--rows N] [--runs N]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import time
from pathlib import Path

import _common as C

from storage import Store

TRIGGERS = ("delivery_days_insert", "delivery_days_update", "delivery_days_delete")


def make(path: Path, triggers: bool) -> None:
    store = Store(path)
    store.migrate()
    store.close()
    if not triggers:
        conn = sqlite3.connect(path)
        for name in TRIGGERS:
            conn.execute(f"DROP TRIGGER {name}")
        conn.commit()
        conn.close()


def one_run(path: Path, rows: int, day: str) -> float:
    """Seconds per tip for ``rows`` tips written as the bot writes them, one transaction each."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    started = time.perf_counter()
    for chat in range(rows):
        conn.execute("BEGIN")
        conn.execute(
            "INSERT INTO deliveries (chat_id, local_date, tip_id, status, attempts, updated_at) "
            "VALUES (?, ?, 'x', 'claimed', 1, 'x')",
            [chat, day],
        )
        conn.execute("COMMIT")
        for status in ("sending", "sent"):
            conn.execute("BEGIN")
            conn.execute(
                "UPDATE deliveries SET status = ?, updated_at = 'y' "
                "WHERE chat_id = ? AND local_date = ?",
                [status, chat, day],
            )
            conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    return seconds / rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=6)
    C.add_smoke(parser)
    args = parser.parse_args()
    if args.smoke:
        args.rows, args.runs = 200, 1
    work = C.CACHE / "work"
    work.mkdir(parents=True, exist_ok=True)
    paths = {"with triggers": work / "triggers-on.db", "without": work / "triggers-off.db"}
    for path, triggers in zip(paths.values(), (True, False), strict=True):
        C.drop_copy(path)
        make(path, triggers)
    times: dict[str, list[float]] = {name: [] for name in paths}
    for run in range(args.runs):  # alternating, a new local date each run
        for name, path in paths.items():
            times[name].append(one_run(path, args.rows, f"2026-01-{run + 1:02d}"))
    rows = []
    for name, values in times.items():
        rows.append([name, f"{statistics.median(values) * 1e6:.1f}", f"{min(values) * 1e6:.1f}"])
    print(C.table(["three writes per tip", "median µs per tip", "min µs"], rows))
    with_, without = (statistics.median(times[name]) for name in paths)
    print(f"triggers add {(with_ - without) * 1e6:.1f} µs per tip ({with_ / without - 1:+.0%})")
    C.write_results(
        "triggers",
        {"rows": args.rows, "runs": args.runs, "seconds_per_tip": times, "smoke": args.smoke},
    )
    for path in paths.values():
        C.drop_copy(path)


if __name__ == "__main__":
    main()
