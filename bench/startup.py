"""Start-up time and peak memory with 10k, 100k and 1M subscribers in the database.

Two designs, each started in a fresh subprocess per run, against the fake Bot API running
in another process:

* ``tick`` (this design): ``build_application`` and the lifecycle of ``bot.app.running``
  with polling (initialize/getMe, post_init: migrations, recover, tip sync, setMyCommands,
  the one repeating "daily-tips" job; deleteWebhook and getUpdates polling; start).
* ``per-sub`` (PTB's timerbot style): the same, except that post_init then reads every
  subscriber and calls ``job_queue.run_daily(callback, time=..., days=...)`` for each (the
  repeating job is removed), and ready is when ``application.start()`` has started the
  scheduler with all of them.

Ready = the moment ``running()`` yields. Times are measured in the child with
time.monotonic() (CLOCK_MONOTONIC, shared with the parent): "ready" is from just before
``build_application`` to ready; "process" is from the parent's spawn to ready (interpreter
start and imports included). Peak RSS is VmHWM from /proc/self/status at ready.

    /tmp/venv/bin/python bench/startup.py [--quick | --smoke] [--runs N] [--per-sub-1m auto|yes|no]
"""

from __future__ import annotations

import time

_T_CHILD_START = time.monotonic()

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import _common as C  # noqa: E402

# Child ------------------------------------------------------------------------------------


def _memory() -> dict[str, int]:
    import resource

    values = {"ru_maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            values[key + "_kb"] = int(rest.split()[0])
    return values


def child(design: str, db: str, base_url: str) -> None:
    import asyncio
    from datetime import time as dtime

    t_imports = time.monotonic()
    from bot.app import build_application, running
    from bot.jobs.daily import JOB_NAME
    from storage import schedule

    C.quiet_logs()
    t_imported = time.monotonic()
    marks: dict[str, float] = {}
    jobs_added = 0

    async def send_tip(context: Any) -> None:  # never runs: we stop at ready
        raise AssertionError("not reached")

    async def main() -> None:
        settings = C.settings(base_url, Path(db), tick_seconds=20)
        t_build = time.monotonic()
        application = build_application(settings, clock=C.FixedClock())
        marks["built"] = time.monotonic()
        original = application.post_init
        assert original is not None

        async def timed_post_init(app: Any) -> None:
            marks["initialized"] = time.monotonic()
            await original(app)
            marks["post_init_done"] = time.monotonic()

        async def per_subscriber_post_init(app: Any) -> None:
            nonlocal jobs_added
            marks["initialized"] = time.monotonic()
            await original(app)
            jq = app.job_queue
            for job in jq.get_jobs_by_name(JOB_NAME):
                job.schedule_removal()
            store = app.services.store
            zones: dict[str, Any] = {}
            masks: dict[int, tuple[int, ...]] = {}
            marks["post_init_done"] = time.monotonic()
            rows = store.db.execute(
                "SELECT chat_id, tip_time, timezone, days FROM subscribers "
                "WHERE subscribed = 1 AND blocked = 0 AND resume_on IS NULL"
            )
            for chat_id, tip_time, zone_name, days in rows:
                zone = zones.get(zone_name)
                if zone is None:
                    zone = zones[zone_name] = schedule.resolve(zone_name)
                ptb_days = masks.get(days)
                if ptb_days is None:
                    # Ours: Monday = bit 0. PTB's run_daily: 0 = Sunday ... 6 = Saturday.
                    ptb_days = masks[days] = tuple(
                        sorted((d + 1) % 7 for d in range(7) if days >> d & 1)
                    )
                hour, minute = tip_time.split(":")
                jq.run_daily(
                    send_tip,
                    time=dtime(int(hour), int(minute), tzinfo=zone),
                    days=ptb_days,
                    chat_id=chat_id,
                    name=str(chat_id),
                )
                jobs_added += 1
            marks["jobs_added"] = time.monotonic()

        application.post_init = timed_post_init if design == "tick" else per_subscriber_post_init
        async with running(application, polling=True):
            t_ready = time.monotonic()
            memory = _memory()
            scheduler = application.job_queue.scheduler  # type: ignore[union-attr]
            result = {
                "t_child_start": _T_CHILD_START,
                "t_imports": t_imports,
                "t_imported": t_imported,
                "t_build": t_build,
                "t_ready": t_ready,
                "marks": marks,
                "scheduled_jobs": len(scheduler.get_jobs()),
                "jobs_added": jobs_added,
                **memory,
            }
            # Report at ready and leave at once: shutdown is not measured, and tearing
            # down a million APScheduler jobs would only add time.
            print(json.dumps(result), flush=True)
            os._exit(0)

    asyncio.run(main())
    raise SystemExit("not reached")


# Parent -----------------------------------------------------------------------------------


def run_child(design: str, db: Path, base_url: str, timeout: float) -> dict[str, Any]:
    spawn = time.monotonic()
    proc = subprocess.run(
        [sys.executable, __file__, "--child", design, "--db", str(db), "--base-url", base_url],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=C.ROOT,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"{design} child failed ({proc.returncode}): {proc.stderr[-2000:]}")
    data = json.loads(lines[-1])
    data["t_spawn"] = spawn
    marks = data["marks"]
    data["ready_s"] = data["t_ready"] - data["t_build"]
    data["process_s"] = data["t_ready"] - spawn
    data["imports_s"] = data["t_imported"] - data["t_imports"]
    data["interpreter_s"] = data["t_child_start"] - spawn
    data["build_s"] = marks["built"] - data["t_build"]
    data["initialize_s"] = marks["initialized"] - marks["built"]
    data["post_init_s"] = marks["post_init_done"] - marks["initialized"]
    data["jobs_s"] = marks.get("jobs_added", marks["post_init_done"]) - marks["post_init_done"]
    data["start_s"] = data["t_ready"] - marks.get("jobs_added", marks["post_init_done"])
    data["peak_rss_mb"] = data["VmHWM_kb"] / 1024
    return data


def fit_power(points: list[tuple[int, float]]) -> tuple[float, float]:
    """Least squares of log y = log a + b log n; returns (a, b)."""
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(y) for _, y in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )
    return math.exp(my - b * mx), b


def fit_linear(points: list[tuple[int, float]]) -> tuple[float, float]:
    """Least squares of y = a + b n; returns (a, b)."""
    xs = [float(n) for n, _ in points]
    ys = [y for _, y in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )
    return my - b * mx, b


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 run each, fewer sizes")
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--per-sub-1m", choices=("auto", "yes", "no"), default="auto")
    parser.add_argument(
        "--per-sub-budget",
        type=float,
        default=240.0,
        help="seconds one per-sub 1M run may take (auto mode)",
    )
    C.add_smoke(parser)
    parser.add_argument("--child", choices=("tick", "per-sub"))
    parser.add_argument("--db")
    parser.add_argument("--base-url")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.db, args.base_url)
        return

    runs = args.runs or (1 if args.quick or args.smoke else 3)
    if args.smoke:
        tick_sizes, per_sub_sizes = [1_000, 3_000], [1_000, 3_000]
    elif args.quick:
        tick_sizes, per_sub_sizes = [10_000, 1_000_000], [10_000, 30_000]
    else:
        tick_sizes, per_sub_sizes = [10_000, 100_000, 1_000_000], [10_000, 30_000, 100_000]
    print(f"startup: {runs} run(s) per point; seeding (cached in {C.CACHE})", flush=True)
    dbs = {
        n: C.work_copy(C.seed_spread(n), f"startup-{n}.db") for n in {*tick_sizes, *per_sub_sizes}
    }

    results: dict[str, dict[int, list[dict[str, Any]]]] = {"tick": {}, "per-sub": {}}
    started = time.monotonic()
    with C.FakeServer() as fake:
        for n in sorted(dbs):
            for _ in range(runs):
                if n in tick_sizes:
                    r = run_child("tick", dbs[n], fake.base_url, timeout=120)
                    results["tick"].setdefault(n, []).append(r)
                    print(
                        f"  tick     {n:>9,}: ready {r['ready_s']:.3f} s, "
                        f"peak {r['peak_rss_mb']:.0f} MB",
                        flush=True,
                    )
                if n in per_sub_sizes:
                    r = run_child("per-sub", dbs[n], fake.base_url, timeout=900)
                    results["per-sub"].setdefault(n, []).append(r)
                    print(
                        f"  per-sub  {n:>9,}: ready {r['ready_s']:.3f} s, "
                        f"peak {r['peak_rss_mb']:.0f} MB, jobs {r['scheduled_jobs']:,}",
                        flush=True,
                    )

        # Per-subscriber at 1M: only if the measured growth says it fits the budget.
        per_sub_points = [
            (n, C.median([r["ready_s"] for r in results["per-sub"][n]])) for n in per_sub_sizes
        ]
        a, b = fit_power(per_sub_points[-2:])
        estimate_1m = a * 1_000_000**b
        rss_points = [
            (n, C.median([r["peak_rss_mb"] for r in results["per-sub"][n]])) for n in per_sub_sizes
        ]
        ra, rb = fit_linear(rss_points)
        rss_1m = ra + rb * 1_000_000
        run_1m = args.per_sub_1m == "yes" or (
            args.per_sub_1m == "auto"
            and not args.quick
            and not args.smoke
            and estimate_1m <= args.per_sub_budget
            and rss_1m < 8_000
        )
        print(
            f"  per-sub 1M estimate: {estimate_1m:.0f} s, {rss_1m:.0f} MB -> "
            f"{'run once' if run_1m else 'not run (extrapolated)'}",
            flush=True,
        )
        if run_1m:
            db_1m = dbs.get(1_000_000) or C.work_copy(C.seed_spread(1_000_000), "startup-1M.db")
            r = run_child("per-sub", db_1m, fake.base_url, timeout=max(900, 3 * estimate_1m))
            results["per-sub"][1_000_000] = [r]
            print(
                f"  per-sub  1,000,000: ready {r['ready_s']:.3f} s, peak {r['peak_rss_mb']:.0f} MB",
                flush=True,
            )

    elapsed = time.monotonic() - started

    # Extrapolation for per-sub at 1M from the measured points (marked as such).
    measured = [n for n in per_sub_sizes if n in results["per-sub"]]
    time_points = [(n, C.median([r["ready_s"] for r in results["per-sub"][n]])) for n in measured]
    pa, pb = fit_power(time_points)
    qa, qb = fit_power(time_points[-2:])
    la, lb = fit_linear(time_points)
    extrapolated = {
        "ready_s_power_all_points": pa * 1e6**pb,
        "power_exponent_all_points": pb,
        "ready_s_power_last_two": qa * 1e6**qb,
        "power_exponent_last_two": qb,
        "ready_s_linear": la + lb * 1e6,
        "peak_rss_mb_linear": ra + rb * 1e6,
        "rss_mb_per_1k_jobs": rb * 1000,
        "from_points": measured,
    }

    rows = []
    summary: dict[str, Any] = {}
    for design in ("tick", "per-sub"):
        for n, runs_ in sorted(results[design].items()):
            ready = [r["ready_s"] for r in runs_]
            proc = [r["process_s"] for r in runs_]
            rss = [r["peak_rss_mb"] for r in runs_]
            keys = ("imports_s", "build_s", "initialize_s", "post_init_s", "jobs_s", "start_s")
            parts = {k: C.median([r[k] for r in runs_]) for k in keys}
            summary[f"{design}/{n}"] = {
                "design": design,
                "subscribers": n,
                "runs": len(runs_),
                "ready_s": C.median(ready),
                "process_s": C.median(proc),
                "peak_rss_mb": C.median(rss),
                "ready_s_all": ready,
                "peak_rss_mb_all": rss,
                **parts,
                "scheduled_jobs": runs_[0]["scheduled_jobs"],
            }
            rows.append(
                [
                    design,
                    n,
                    len(runs_),
                    C.median(ready),
                    C.median(proc),
                    C.median(rss),
                    parts["post_init_s"],
                    parts["jobs_s"],
                    parts["start_s"],
                    runs_[0]["scheduled_jobs"],
                ]
            )
    print()
    print(
        table := C.table(
            [
                "design",
                "subscribers",
                "runs",
                "ready s (med)",
                "process s (med)",
                "peak RSS MB (med)",
                "post_init s",
                "run_daily loop s",
                "start s",
                "jobs",
            ],
            rows,
        )
    )
    ratio_rows = []
    for n in sorted(set(results["tick"]) & set(results["per-sub"])):
        t, p = summary[f"tick/{n}"], summary[f"per-sub/{n}"]
        ratio_rows.append([n, p["ready_s"] / t["ready_s"], p["peak_rss_mb"] / t["peak_rss_mb"]])
    if ratio_rows:
        print()
        print(C.table(["subscribers", "per-sub/tick ready", "per-sub/tick peak RSS"], ratio_rows))
    if 1_000_000 not in results["per-sub"]:
        print()
        print("per-sub at 1M, EXTRAPOLATED (not measured) from", measured)
        print(
            f"  ready: {extrapolated['ready_s_power_last_two']:.0f} s (power law through the "
            f"last two points, exponent {qb:.2f}); {extrapolated['ready_s_power_all_points']:.0f}"
            f" s (all points, exponent {pb:.2f}); {extrapolated['ready_s_linear']:.0f} s "
            "(linear, a lower bound)"
        )
        print(
            f"  peak RSS: {extrapolated['peak_rss_mb_linear']:.0f} MB (linear, "
            f"{extrapolated['rss_mb_per_1k_jobs']:.1f} MB per 1,000 jobs)"
        )
    tick_1m = summary.get("tick/1000000")
    verdict = {}
    if tick_1m:
        verdict = {
            "ready_under_2s": tick_1m["ready_s"] < 2.0,
            "process_under_2s": tick_1m["process_s"] < 2.0,
            "peak_rss_under_200mb": tick_1m["peak_rss_mb"] < 200.0,
        }
        print()
        print(
            f"targets at 1M (tick): ready {tick_1m['ready_s']:.3f} s < 2 s: "
            f"{verdict['ready_under_2s']}; with interpreter+imports {tick_1m['process_s']:.3f}"
            f" s < 2 s: {verdict['process_under_2s']}; peak RSS {tick_1m['peak_rss_mb']:.0f} MB"
            f" < 200 MB: {verdict['peak_rss_under_200mb']}"
        )
    path = C.write_results(
        "startup",
        {
            "quick": args.quick,
            "smoke": args.smoke,
            "elapsed_s": elapsed,
            "summary": summary,
            "per_sub_1m_extrapolated": extrapolated
            if 1_000_000 not in results["per-sub"]
            else None,
            "targets": verdict,
            "table": table,
            "raw": {d: {str(n): v for n, v in r.items()} for d, r in results.items()},
        },
    )
    if path is not None:
        print(f"\nwrote {path.relative_to(C.ROOT)} ({elapsed:.0f} s)")


if __name__ == "__main__":
    main()
