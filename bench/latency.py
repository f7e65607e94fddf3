"""Interactive latency during a full-rate fan-out: PriorityRateLimiter against AIORateLimiter.

The bot runs in this process with polling on; the fake Bot API runs in another process and
enforces 30 msg/s (429 with retry_after=1 beyond 30 in any sliding second). The Dispatcher
sends thousands of due tips at send_rate 25 msg/s (max_in_flight 16). After a warm-up a
simulated user, driven by the fake itself so the bot process is not disturbed, sends
/technique every 0.5 s (one new private chat per message, so each reply is matched to its
message without ambiguity). Latency = time from the update being queued at the fake (ready
for getUpdates, which is long-polling) to the reply's sendMessage reaching the fake, both
on the fake's clock; it includes the getUpdates hand-over.

The same run is repeated with PTB's AIORateLimiter(overall_max_rate=25, overall_time_period=1,
max_retries=3) passed to ``build_application`` instead of the default PriorityRateLimiter.
Target: p99 < 1 s with PriorityRateLimiter.

    /tmp/venv/bin/python bench/latency.py [--quick | --smoke] [--samples N] [--interval S]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path
from typing import Any

import _common as C
from telegram.ext import AIORateLimiter

from bot.app import build_application, running
from bot.jobs.daily import JOB_NAME

RATE = 25
FAKE_LIMIT = 30
MAX_IN_FLIGHT = 16
USER_BASE = 900_000
WARMUP_S = 2.0


async def run_variant(
    fake: C.FakeServer,
    source: Path,
    variant: str,
    samples: int,
    interval: float,
    warmup: float = WARMUP_S,
) -> dict[str, Any]:
    db = C.work_copy(source, "latency.db")
    settings = C.settings(fake.base_url, db, send_rate=RATE, max_in_flight=MAX_IN_FLIGHT)
    limiter = (
        AIORateLimiter(overall_max_rate=RATE, overall_time_period=1, max_retries=3)
        if variant == "AIORateLimiter"
        else None
    )
    await asyncio.to_thread(fake.control, "reset", limit=FAKE_LIMIT)
    application = build_application(settings, clock=C.FixedClock(), rate_limiter=limiter)
    base = USER_BASE + (0 if variant == "PriorityRateLimiter" else 100_000)
    async with running(application, polling=True):
        assert application.job_queue is not None
        for job in application.job_queue.get_jobs_by_name(JOB_NAME):
            job.schedule_removal()
        dispatcher = application.jobs.dispatcher
        context = C.StoppableContext(application)
        fan_out = asyncio.create_task(dispatcher.tick(context))
        await asyncio.sleep(warmup)
        await asyncio.to_thread(
            fake.control, "user", chat_base=base, count=samples, interval=interval
        )
        deadline = time.monotonic() + samples * interval + 20
        progress: dict[str, Any] = {}
        while time.monotonic() < deadline:
            await asyncio.sleep(min(1.0, interval))
            progress = await asyncio.to_thread(fake.control, "progress")
            if progress["user_done"] and progress["replied"] >= samples:
                break
            if fan_out.done():
                break
        fan_out_ended_early = fan_out.done()
        # Stop the fan-out the way the bot stops it (the Dispatcher sees "not running", its
        # workers give up their slot waits and the unsent claims are released), then leave.
        context.stop()
        try:
            await asyncio.wait_for(fan_out, 15)
        except TimeoutError:
            print("  warning: the fan-out did not stop within 15 s; cancelled", flush=True)
    stats = await asyncio.to_thread(fake.control, "stats")
    C.drop_copy(db)
    return analyse(variant, stats, base, samples, fan_out_ended_early)


def analyse(
    variant: str, stats: dict[str, Any], base: int, samples: int, fan_out_ended_early: bool
) -> dict[str, Any]:
    users = {int(k): v for k, v in stats["samples"].items()}
    latencies, poll, handling, missing = [], [], [], 0
    for chat in range(base, base + samples):
        sample = users.get(chat, {})
        if "reply_ok" not in sample:
            missing += 1
            continue
        latencies.append((sample["reply_ok"] - sample["queued"]) * 1000)
        if "delivered" in sample:
            poll.append((sample["delivered"] - sample["queued"]) * 1000)
            handling.append((sample["reply_ok"] - sample["delivered"]) * 1000)
    tips = [(t, status) for t, chat, status in stats["arrivals"] if chat >= C.FIRST_CHAT]
    queued = [s["queued"] for s in users.values()]
    window = (min(queued), max(queued) + 0.5) if queued else (0.0, 0.0)
    in_window = [t for t, status in tips if status == 200 and window[0] <= t <= window[1]]
    accepted = [t for t, _, status in stats["arrivals"] if status == 200]
    return {
        "variant": variant,
        "samples": samples,
        "answered": len(latencies),
        "missing": missing,
        "latency_ms": C.summary(latencies),
        "getupdates_handover_ms": C.summary(poll),
        "bot_handling_ms": C.summary(handling),
        "latency_ms_all": latencies,
        "tips_sent": sum(1 for _, status in tips if status == 200),
        "tip_rate_during_sampling": len(in_window) / (window[1] - window[0])
        if window[1] > window[0]
        else float("nan"),
        "fake_429": sum(1 for _, _, status in stats["arrivals"] if status == 429),
        "fake_429_on_replies": sum(
            1 for _, chat, status in stats["arrivals"] if status == 429 and chat < C.FIRST_CHAT
        ),
        "max_in_1s_accepted": C.max_in_window(accepted),
        "fan_out_ended_early": fan_out_ended_early,
    }


async def main_async(args: argparse.Namespace) -> list[dict[str, Any]]:
    samples = args.samples or (3 if args.smoke else 30 if args.quick else 80)
    subscribers = 2_000 if args.smoke else 20_000 if args.quick else 1_000_000
    # Enough due tips to keep the fan-out at full rate past the last sample.
    due = int(RATE * (WARMUP_S + samples * args.interval + 25)) + 500
    source = C.seed_due(subscribers, due)
    print(
        f"latency: {samples} x /technique every {args.interval} s during a fan-out of {due:,} "
        f"due tips at {RATE} msg/s (fake limit {FAKE_LIMIT}/s)",
        flush=True,
    )
    results = []
    with C.FakeServer(limit=FAKE_LIMIT) as fake:
        for variant in ("PriorityRateLimiter", "AIORateLimiter"):
            r = await run_variant(
                fake, source, variant, samples, args.interval, 0.3 if args.smoke else WARMUP_S
            )
            results.append(r)
            lat = r["latency_ms"]
            print(
                f"  {variant:<20} p50 {lat['median']:.0f} ms, p99 {lat['p99']:.0f} ms, "
                f"max {lat['max']:.0f} ms; tips at {r['tip_rate_during_sampling']:.1f}/s; "
                f"429s {r['fake_429']}",
                flush=True,
            )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--samples", type=int, default=None)
    parser.add_argument("--interval", type=float, default=0.5)
    C.add_smoke(parser)
    args = parser.parse_args()
    if args.smoke and args.interval == 0.5:
        args.interval = 0.2
    C.quiet_logs()
    started = time.monotonic()
    results = asyncio.run(main_async(args))
    elapsed = time.monotonic() - started
    rows = []
    for r in results:
        lat = r["latency_ms"]
        rows.append(
            [
                r["variant"],
                r["answered"],
                lat["median"],
                lat["p95"],
                lat["p99"],
                lat["max"],
                r["getupdates_handover_ms"]["median"],
                r["bot_handling_ms"]["median"],
                r["tip_rate_during_sampling"],
                r["fake_429"],
                r["max_in_1s_accepted"],
            ]
        )
    print()
    table = C.table(
        [
            "limiter",
            "samples",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "max ms",
            "getUpdates hand-over ms",
            "bot handling ms (p50)",
            "tips/s while sampling",
            "429s",
            "max in 1 s",
        ],
        rows,
    )
    print(table)
    prio, aio = results
    ratios = {
        "p50": aio["latency_ms"]["median"] / prio["latency_ms"]["median"],
        "p99": aio["latency_ms"]["p99"] / prio["latency_ms"]["p99"],
    }
    print(
        f"AIORateLimiter / PriorityRateLimiter: p50 {ratios['p50']:.1f}x, p99 {ratios['p99']:.1f}x"
    )
    verdict = {
        "priority_p99_under_1s": prio["latency_ms"]["p99"] < 1000,
        "enough_samples": prio["answered"] >= 60,
    }
    print(
        f"\ntarget p99 < 1 s with PriorityRateLimiter: {prio['latency_ms']['p99']:.0f} ms -> "
        f"{verdict['priority_p99_under_1s']} ({prio['answered']} samples)"
    )
    path = C.write_results(
        "latency",
        {
            "quick": args.quick,
            "smoke": args.smoke,
            "elapsed_s": elapsed,
            "rate": RATE,
            "fake_limit": FAKE_LIMIT,
            "max_in_flight": MAX_IN_FLIGHT,
            "interval_s": args.interval,
            "results": results,
            "ratios_aio_over_priority": ratios,
            "targets": verdict,
            "table": table,
        },
    )
    if path is not None:
        print(f"\nwrote {path.relative_to(C.ROOT)} ({elapsed:.0f} s)")


if __name__ == "__main__":
    main()
