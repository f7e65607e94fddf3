"""Shared helpers for the benchmarks: paths, seeded databases, the fake Bot API process,
statistics, tables and result files.

Nothing here changes the code under test; it only imports it. Seeded databases are cached
in /tmp/backcare-bench (never in the repository) and copied before each run that writes.

The code under test is this checkout's, or another's named by ``BACKCARE_BENCH_CODE`` (a
``git worktree`` of an older commit): the same scripts then measure both, side by side.
Every script takes ``--smoke``: tiny sizes, a few seconds, nothing written (tests/test_bench.py
runs each one so, in ``make test``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
#: The checkout whose bot/, storage/ and content/ are measured (this one by default).
CODE = Path(os.environ.get("BACKCARE_BENCH_CODE") or ROOT).resolve()
if str(CODE) not in sys.path:
    sys.path.insert(0, str(CODE))

CACHE = Path(os.environ.get("BACKCARE_BENCH_CACHE", "/tmp/backcare-bench"))
TOKEN = "123456:BENCH-TOKEN"
#: The instant every benchmark's clock stands at (a Thursday, as in the tests).
REF = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
#: Zones of the "spread" databases: fixed, DST-observing, half-hour and east/west of UTC.
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC+03:00")
FIRST_CHAT = 100_000_000


class FixedClock:
    """The bot's clock, standing at ``now`` (dates are then the same on every run)."""

    def __init__(self, now: datetime = REF) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


# Seeding ---------------------------------------------------------------------------------


def _schema_key() -> str:
    from storage.migrations import migrations

    names = ",".join(m.name for m in migrations._migrations)
    source = (CODE / "storage" / "migrations.py").read_bytes()
    return hashlib.sha1(names.encode() + source).hexdigest()[:10]


def _new_store(path: Path) -> None:
    """An empty database with the current schema and tips, made by the code under test."""
    from content import load
    from storage import Store

    store = Store(path)
    store.migrate()
    store.sync_tips(load().tips, REF)
    store.close()


def _start_seed(final: Path) -> tuple[Path, sqlite3.Connection, float]:
    """A temporary file beside ``final`` with the current schema, a fast connection to it,
    and the start time; ``_finish`` moves it into place."""
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = final.with_suffix(f".tmp{os.getpid()}")
    tmp.unlink(missing_ok=True)
    started = time.perf_counter()
    _new_store(tmp)
    conn = sqlite3.connect(tmp, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")
    return tmp, conn, started


def settings(base_url: str, db: Path, **overrides: Any) -> Any:
    """The bot's Settings for a benchmark: the fake API, a database, UTC, no scheduled tick."""
    from bot.config import Settings

    values: dict[str, Any] = {
        "token": TOKEN,
        "db_path": db,
        "default_timezone": "UTC",
        "api_base_url": base_url,
        "tick_seconds": 3600,
    }
    return Settings(**{**values, **overrides})


def _finish(conn: sqlite3.Connection, path: Path, final: Path) -> None:
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("ANALYZE")
    conn.commit()
    conn.close()
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    path.rename(final)


def finish_seed(conn: sqlite3.Connection, path: Path, final: Path, started: float) -> float:
    """Like ``_finish`` without ANALYZE (the bot never runs it): move the seeded file into
    place, say how big it is, and return the seconds since ``started``."""
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    path.rename(final)
    seconds = time.perf_counter() - started
    print(f"  seeded {final.name}: {final.stat().st_size / 2**20:,.0f} MiB in {seconds:.1f} s")
    return seconds


def seed_spread(n: int) -> Path:
    """``n`` subscribers as a real population: tip times spread over the day by minute,
    five timezones, one in ten on weekdays only, cursors spread over the tips.

    ``next_due`` is each subscriber's tip instant on their local day at REF, so at REF
    roughly half are due (a backlog: the fan-out of everyone whose time has passed).
    Seeded with one INSERT ... SELECT from a recursive CTE; cached in /tmp.
    """
    from storage import schedule

    final = CACHE / f"spread-{n}-{_schema_key()}.db"
    if final.exists():
        return final
    tmp, conn, started = _start_seed(final)
    conn.execute("CREATE TEMP TABLE combos (k INTEGER PRIMARY KEY, tz, tip_time, next_due)")
    rows = []
    for z, zone_name in enumerate(ZONES):
        zone = schedule.resolve(zone_name)
        today = schedule.local_date(REF, zone)
        for minute in range(1440):
            at = datetime.min.replace(hour=minute // 60, minute=minute % 60).time()
            due = schedule.due_instant(today, at, zone)
            rows.append((z * 1440 + minute, zone_name, at.strftime("%H:%M"), int(due.timestamp())))
    conn.executemany("INSERT INTO combos VALUES (?, ?, ?, ?)", rows)
    combos = len(rows)
    stamp = REF.isoformat(timespec="seconds")
    conn.execute("BEGIN")
    # k walks the combos so that neighbouring chat ids get different zones and minutes.
    conn.execute(
        f"""
        INSERT INTO subscribers (chat_id, subscribed, tip_time, timezone, next_due, tip_cursor,
                                 created_at, updated_at, blocked, days, resume_on)
        WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < {n - 1})
        SELECT {FIRST_CHAT} + n, 1, c.tip_time, c.tz, c.next_due, n % 38, ?, ?, 0,
               CASE WHEN n % 10 = 9 THEN 31 ELSE 127 END, NULL
        FROM seq JOIN combos c ON c.k = (n * 7919) % {combos}
        """,
        [stamp, stamp],
    )
    columns = {row[1] for row in conn.execute("PRAGMA table_info(subscribers)")}
    if "tips_seen" in columns:
        # Steady state after the tip library (m021): every chat has its history of tips; a
        # chat past the program (cursor 30 and on) a full one (3 recent slots and a day for
        # each of 281 tips), one in the program an empty one, as new subscribers start.
        conn.execute(
            "UPDATE subscribers SET tips_seen = "
            "CASE WHEN tip_cursor >= 30 THEN zeroblob(568) ELSE x'' END"
        )
    conn.execute("COMMIT")
    _finish(conn, tmp, final)
    print(f"  seeded {final.name}: {n:,} rows in {time.perf_counter() - started:.1f} s", flush=True)
    return final


def seed_due(n_total: int, n_due: int) -> Path:
    """``n_total`` UTC subscribers; the first ``n_due`` were due a minute before REF, the
    rest are due later today (not yet). Cached in /tmp."""
    final = CACHE / f"due-{n_total}-{n_due}-{_schema_key()}.db"
    if final.exists():
        return final
    tmp, conn, started = _start_seed(final)
    ref = int(REF.timestamp())
    stamp = REF.isoformat(timespec="seconds")
    conn.execute("BEGIN")
    conn.execute(
        f"""
        INSERT INTO subscribers (chat_id, subscribed, tip_time, timezone, next_due, tip_cursor,
                                 created_at, updated_at, blocked, days, resume_on)
        WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < {n_total - 1})
        SELECT {FIRST_CHAT} + n, 1,
               CASE WHEN n < {n_due} THEN '11:59' ELSE '18:00' END, 'UTC',
               CASE WHEN n < {n_due} THEN {ref - 60} ELSE {ref + 6 * 3600} END,
               n % 38, ?, ?, 0, 127, NULL
        FROM seq
        """,
        [stamp, stamp],
    )
    conn.execute("COMMIT")
    _finish(conn, tmp, final)
    print(f"  seeded {final.name}: {n_total:,} rows in {time.perf_counter() - started:.1f} s")
    return final


def work_copy(source: Path, name: str) -> Path:
    """A fresh copy of a cached database, for a run that writes to it."""
    work = CACHE / "work"
    work.mkdir(parents=True, exist_ok=True)
    target = work / name
    for suffix in ("", "-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    shutil.copyfile(source, target)
    return target


def drop_copy(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


# The fake Bot API, in its own process ------------------------------------------------------


class FakeServer:
    """Runs bench/fakeapi_server.py in a separate process on 127.0.0.1 (port chosen by the OS).

    Control requests (reset, stats, the simulated user) go to /_bench/... over loopback.
    """

    def __init__(self, *, limit: int = 0, window: float = 1.0) -> None:
        self.limit = limit
        self.window = window
        self.proc: subprocess.Popen[str] | None = None
        self.port = 0

    def __enter__(self) -> FakeServer:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                str(BENCH / "fakeapi_server.py"),
                "--limit",
                str(self.limit),
                "--window",
                str(self.window),
                "--token",
                TOKEN,
            ],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            self.proc.kill()
            raise RuntimeError(f"fake API did not start: {line!r}")
        self.port = int(line.split()[1])
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    def control(self, action: str, **payload: Any) -> Any:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/_bench/{action}",
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def cpu_seconds(self) -> float:
        """User + system CPU time the fake process has used so far."""
        assert self.proc is not None
        return proc_cpu_seconds(self.proc.pid)


def proc_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


# Statistics and output -----------------------------------------------------------------


def quantile(values: Sequence[float], q: float) -> float:
    """The q-quantile with linear interpolation between closest ranks (numpy's default)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    pos = (len(ordered) - 1) * q
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def median(values: Sequence[float]) -> float:
    return quantile(values, 0.5)


def summary(values: Sequence[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "median": median(values),
        "p95": quantile(values, 0.95),
        "p99": quantile(values, 0.99),
        "min": min(values) if values else float("nan"),
        "max": max(values) if values else float("nan"),
    }


def max_in_window(times: Iterable[float], window: float = 1.0) -> int:
    """The most events in any half-open window [t, t + window)."""
    ordered = sorted(times)
    best = 0
    j = 0
    for i, start in enumerate(ordered):
        j = max(j, i)
        while j < len(ordered) and ordered[j] < start + window:
            j += 1
        best = max(best, j - i)
    return best


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[str(h) for h in headers]] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for k, row in enumerate(cells):
        lines.append("| " + " | ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) + " |")
        if k == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        if value != value:  # nan
            return "-"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        return f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def machine() -> dict[str, Any]:
    versions: dict[str, str | None] = {}
    for package in (
        "python-telegram-bot",
        "APScheduler",
        "sqlite-utils",
        "httpx",
        "aiohttp",
        "aiolimiter",
    ):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    mem_total = ""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_total = line.split(":", 1)[1].strip()
    return {
        "date_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "mem_total": mem_total,
        "cpu": _cpu_model(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "packages": versions,
        "code_at_start": CODE_AT_START,
        "code_at_end": code_fingerprint(),
        "code_dir": str(CODE),
    }


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


#: The code under test; others edit it while benchmarks run, so each result names its version.
_FINGERPRINTED = ("bot", "storage", "content", "requirements.txt", "pyproject.toml")


def code_fingerprint() -> dict[str, Any]:
    """A hash of the code under test and the time of its newest file."""
    digest = hashlib.sha1()
    newest = 0.0
    for entry in _FINGERPRINTED:
        base = CODE / entry
        files = sorted(base.rglob("*")) if base.is_dir() else [base]
        for path in files:
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(CODE)).encode() + b"\0" + path.read_bytes())
                newest = max(newest, path.stat().st_mtime)
    return {
        "sha1": digest.hexdigest()[:12],
        "newest_file_utc": datetime.fromtimestamp(newest, UTC).isoformat(timespec="seconds"),
    }


#: Taken when a benchmark module is imported, compared when it writes its results.
CODE_AT_START = code_fingerprint()


def add_smoke(parser: argparse.ArgumentParser) -> None:
    """The ``--smoke`` option every benchmark has."""
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="tiny sizes, a few seconds, no result file: only that the benchmark still runs",
    )


def write_results(name: str, data: dict[str, Any]) -> Path | None:
    """Write ``bench/results/<name>.json`` (``.quick.json`` for --quick); nothing, and None,
    for --smoke."""
    if data.get("smoke"):
        print("smoke run: no result file written")
        return None
    RESULTS.mkdir(parents=True, exist_ok=True)
    # --quick runs write <name>.quick.json, so a quick rerun keeps the full figures.
    quick = bool(data.get("quick"))
    path = RESULTS / (f"{name}.quick.json" if quick else f"{name}.json")
    payload = {
        "benchmark": name,
        "command": " ".join([Path(sys.executable).as_posix(), *sys.argv]),
        "machine": machine(),
        **data,
    }
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    code = payload["machine"]
    changed = code["code_at_start"] != code["code_at_end"]
    print(
        f"code under test: {code['code_at_end']['sha1']} (newest file "
        f"{code['code_at_end']['newest_file_utc']})"
        + ("  WARNING: it changed while this benchmark ran" if changed else "")
    )
    return path


def quiet_logs() -> None:
    """The bot logs at INFO per batch and per 429; keep benchmark output to the tables."""
    import logging

    logging.basicConfig(level=logging.WARNING)
    for name in ("httpx", "apscheduler", "telegram", "bot", "aiohttp"):
        logging.getLogger(name).setLevel(logging.WARNING)


def seconds_since(start: float) -> float:
    return time.perf_counter() - start


def later(days: float) -> datetime:
    return REF + timedelta(days=days)


class StoppableContext:
    """What ``Dispatcher.tick`` reads from its CallbackContext (``bot`` and
    ``application.running``), with a running flag the benchmark can turn off before the
    Application itself stops."""

    class _App:
        def __init__(self) -> None:
            self.running = True

    def __init__(self, application: Any) -> None:
        self.bot = application.bot
        self.application = self._App()

    def stop(self) -> None:
        self.application.running = False
