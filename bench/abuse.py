"""Abuse, before and after issue 12: one user's burst, and another process's write lock.

(a) burst: the bot runs with polling in a child process of this script (so the code under
    test can be another checkout's, ``--before DIR``), the fake Bot API in another process
    enforcing 30 msg/s. The Dispatcher sends due tips at send_rate 25 (max_in_flight 16).
    After a 2 s warm-up one user sends 100 /tip at once, and 20 other users send /help one
    every 0.25 s. Figures: the other users' reply latency p50 / p99 (queued at the fake to
    the reply reaching it; target p99 < 1 s) and the daily fan-out's rate over the 8 s after
    the burst (target >= 80 % of 25 msg/s).
(b) lock: the bot runs in webhook mode (``bot.web.webhook.serve``); a client thread with its own
    event loop posts an update (/pause from a new chat: it must write, and is answered with
    one message) and GETs /healthz
    every 0.1 s each for 14 s; after 2 s another process holds the database's write lock
    for 10 s (BEGIN IMMEDIATE). Figures: the longest event-loop stall (a 10 ms ticker in the
    bot's loop; target < 150 ms), webhook POST and /healthz p50 / p99 / max during the lock,
    and how many replies each of those chats got (one each: "busy" or the answer).

The "before" and "after" runs alternate (before, after, after, before: ABBA) in one session.

    .venv/bin/python bench/abuse.py --before /tmp/old-checkout [--runs 2] [--only burst|lock]
    .venv/bin/python bench/abuse.py --smoke    # this checkout once, short phases, no file
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import _common as C

SUBSCRIBERS = 100_000
RATE = 25
FAKE_LIMIT = 30
FLOODER = 500_000
USERS = 900_000
SAMPLES = 20
INTERVAL = 0.25
BURST = 100
AFTER_BURST_S = 8.0
LOCK_S = 10.0
#: Before the burst or the lock, and after the lock.
WARMUP_S = 2.0
SECRET = "bench-secret-token"


# The child: runs one scenario against the code found first on sys.path ---------------------


async def burst() -> dict[str, Any]:
    from bot.app import build_application, running
    from bot.jobs.daily import JOB_NAME

    due = int(RATE * (2 + SAMPLES * INTERVAL + AFTER_BURST_S + 15))
    source = C.seed_due(SUBSCRIBERS, due)
    with C.FakeServer(limit=FAKE_LIMIT) as fake:
        db = C.work_copy(source, "abuse-burst.db")
        settings = C.settings(fake.base_url, db, send_rate=RATE, max_in_flight=16)
        application = build_application(settings, clock=C.FixedClock())
        async with running(application, polling=True):
            assert application.job_queue is not None
            for job in application.job_queue.get_jobs_by_name(JOB_NAME):
                job.schedule_removal()
            context = C.StoppableContext(application)
            fan_out = asyncio.create_task(application.jobs.dispatcher.tick(context))
            await asyncio.sleep(WARMUP_S)
            flooded = await asyncio.to_thread(
                fake.control, "flood", chat=FLOODER, count=BURST, text="/tip"
            )
            await asyncio.to_thread(
                fake.control,
                "user",
                chat_base=USERS,
                count=SAMPLES,
                interval=INTERVAL,
                text="/help",
            )
            deadline = time.monotonic() + max(SAMPLES * INTERVAL, AFTER_BURST_S) + 20
            while time.monotonic() < deadline:
                await asyncio.sleep(0.5)
                progress = await asyncio.to_thread(fake.control, "progress")
                waited = time.monotonic() > deadline - 20 + 1
                if progress["user_done"] and progress["replied"] >= SAMPLES and waited:
                    break
            context.stop()
            await asyncio.wait_for(fan_out, 20)
        stats = await asyncio.to_thread(fake.control, "stats")
        C.drop_copy(db)
    start = flooded["at"]
    samples = [s for chat, s in stats["samples"].items() if int(chat) >= USERS]
    latencies = [(s["reply_ok"] - s["queued"]) * 1000 for s in samples if "reply_ok" in s]
    tips = [t for t, chat, status in stats["arrivals"] if chat >= C.FIRST_CHAT and status == 200]
    window = [t for t in tips if start <= t <= start + AFTER_BURST_S]
    flood_replies = [t for t, chat, status in stats["arrivals"] if chat == FLOODER]
    return {
        "other_users_answered": len(latencies),
        "other_users_latency_ms": C.summary(latencies),
        "tip_rate_after_burst": len(window) / AFTER_BURST_S,
        "tip_rate_share": len(window) / AFTER_BURST_S / RATE,
        "flood_replies": len(flood_replies),
        "fake_429": sum(1 for _, _, status in stats["arrivals"] if status == 429),
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _client(
    base: str, stop: threading.Event, log: list[dict[str, Any]], chat_ids: list[int]
) -> None:
    """Posts an update and GETs /healthz every 0.1 s each, from its own event loop."""
    import aiohttp

    async def run() -> None:
        update_id = 10_000
        async with aiohttp.ClientSession() as session:
            while not stop.is_set():
                update_id += 1
                chat = 700_000 + update_id
                body = {
                    "update_id": update_id,
                    "message": {
                        "message_id": update_id,
                        "date": int(time.time()),
                        "chat": {"id": chat, "type": "private", "first_name": "U"},
                        "from": {"id": chat, "is_bot": False, "first_name": "U"},
                        "text": "/pause",
                        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
                    },
                }
                for kind in ("webhook", "healthz"):
                    started = time.monotonic()
                    if kind == "webhook":
                        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
                        request = session.post(base + "/hook", json=body, headers=headers)
                    else:
                        request = session.get(base + "/healthz")
                    async with request as response:
                        await response.read()
                        status = response.status
                    log.append(
                        {"kind": kind, "at": started, "ms": (time.monotonic() - started) * 1000,
                         "status": status, "chat": chat}
                    )  # fmt: skip
                    if kind == "webhook":
                        chat_ids.append(chat)
                await asyncio.sleep(0.1)

    asyncio.run(run())


async def lock() -> dict[str, Any]:
    from bot.app import build_application
    from bot.web.webhook import serve

    source = C.seed_due(SUBSCRIBERS, 0)
    with C.FakeServer() as fake:
        db = C.work_copy(source, "abuse-lock.db")
        port = _free_port()
        settings = C.settings(
            fake.base_url,
            db,
            tick_seconds=1.0,
            webhook_url="https://bench.invalid/hook",
            listen="127.0.0.1",
            port=port,
            secret_token=SECRET,
        )
        # The seeded tips are due hours after REF: none is sent while this runs.
        application = build_application(settings, clock=C.FixedClock())
        ready = asyncio.Event()
        server = asyncio.create_task(serve(application, settings, ready=ready))
        await asyncio.wait_for(ready.wait(), 30)
        stalls: list[tuple[float, float]] = []
        done = asyncio.Event()

        async def ticker() -> None:
            loop = asyncio.get_running_loop()
            while not done.is_set():
                before = loop.time()
                await asyncio.sleep(0.01)
                stalls.append((time.monotonic(), (loop.time() - before - 0.01) * 1000))

        ticking = asyncio.create_task(ticker())
        stop = threading.Event()
        log: list[dict[str, Any]] = []
        chats: list[int] = []
        client = threading.Thread(
            target=_client, args=(f"http://127.0.0.1:{port}", stop, log, chats), daemon=True
        )
        client.start()
        await asyncio.sleep(WARMUP_S)
        holder = subprocess.Popen(
            [sys.executable, "-c",
             "import sqlite3, sys, time\n"
             "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
             "c.execute('BEGIN IMMEDIATE'); print('locked', flush=True)\n"
             f"time.sleep({LOCK_S}); c.execute('ROLLBACK')",
             str(db)],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert holder.stdout is not None
        await asyncio.to_thread(holder.stdout.readline)
        locked_from = time.monotonic()
        await asyncio.to_thread(holder.wait)
        locked_to = time.monotonic()
        await asyncio.sleep(WARMUP_S)
        stop.set()
        await asyncio.to_thread(client.join, 10)
        await asyncio.sleep(1.0)  # the last replies
        done.set()
        await ticking
        server.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await server
        stats = await asyncio.to_thread(fake.control, "stats")
        C.drop_copy(db)
    during = [e for e in log if locked_from <= e["at"] <= locked_to]
    replies: dict[int, int] = {}
    for _, chat, status in stats["arrivals"]:
        if status == 200:
            replies[chat] = replies.get(chat, 0) + 1
    locked_chats = {e["chat"] for e in during if e["kind"] == "webhook"}
    per_chat = [replies.get(chat, 0) for chat in locked_chats]
    return {
        "lock_s": locked_to - locked_from,
        "longest_stall_ms": max(
            (ms for at, ms in stalls if locked_from <= at <= locked_to), default=0
        ),
        "longest_stall_outside_ms": max(
            (ms for at, ms in stalls if not locked_from <= at <= locked_to), default=0
        ),
        "webhook_ms": C.summary([e["ms"] for e in during if e["kind"] == "webhook"]),
        "healthz_ms": C.summary([e["ms"] for e in during if e["kind"] == "healthz"]),
        "webhook_requests": sum(1 for e in during if e["kind"] == "webhook"),
        "healthz_statuses": sorted({e["status"] for e in during if e["kind"] == "healthz"}),
        "chats_during_lock": len(locked_chats),
        "replies_per_chat": {str(n): per_chat.count(n) for n in sorted(set(per_chat))},
    }  # fmt: skip


def child(scenario: str) -> None:
    result = asyncio.run(burst() if scenario == "burst" else lock())
    print("RESULT " + json.dumps(result), flush=True)


# The parent: runs the children, before and after, and prints the tables --------------------


def smoke() -> None:
    """Short phases and few users: only that both scenarios still run."""
    global SUBSCRIBERS, SAMPLES, BURST, AFTER_BURST_S, LOCK_S, WARMUP_S
    SUBSCRIBERS, SAMPLES, BURST, AFTER_BURST_S, LOCK_S, WARMUP_S = 2_000, 3, 10, 1.0, 1.0, 0.3


def run_child(scenario: str, code: Path, *, smoke: bool = False) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": f"{code}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    out = subprocess.run(
        [sys.executable, __file__, "--child", scenario, "--code", str(code)]
        + (["--smoke"] if smoke else []),
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            result: dict[str, Any] = json.loads(line.removeprefix("RESULT "))
            return result
    raise RuntimeError(f"{scenario} on {code} failed:\n{out.stdout[-2000:]}\n{out.stderr[-4000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, help="a checkout of the code before issue 12")
    parser.add_argument("--runs", type=int, default=2, help="runs of each variant (ABBA order)")
    parser.add_argument("--only", choices=("burst", "lock"))
    parser.add_argument("--child", choices=("burst", "lock"))
    parser.add_argument("--code", type=Path)
    C.add_smoke(parser)
    args = parser.parse_args()
    if args.smoke:
        smoke()
        args.runs = 1
    if args.child:
        if args.code is not None:
            sys.path.insert(0, str(args.code))  # ahead of this checkout (_common added it)
        child(args.child)
        return
    variants = [("after", C.ROOT)] + ([("before", args.before)] if args.before else [])
    order: list[tuple[str, Path]] = []
    for run in range(args.runs):
        order += variants if run % 2 else list(reversed(variants))
    results: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for scenario in ("burst", "lock"):
        if args.only and scenario != args.only:
            continue
        for label, code in order:
            r = run_child(scenario, code, smoke=args.smoke)
            results.setdefault(scenario, {}).setdefault(label, []).append(r)
            print(f"  {scenario} {label}: {json.dumps(r)}", flush=True)
    rows = []
    for label, runs in results.get("burst", {}).items():
        for r in runs:
            lat = r["other_users_latency_ms"]
            rows.append([label, r["other_users_answered"], lat["median"], lat["p99"],
                         r["tip_rate_after_burst"], f"{r['tip_rate_share']:.0%}",
                         r["flood_replies"], r["fake_429"]])  # fmt: skip
    if rows:
        headers = ["burst", "answered", "p50 ms", "p99 ms", "tips/s", "of 25", "flood", "429s"]
        print(C.table(headers, rows))
    rows = []
    for label, runs in results.get("lock", {}).items():
        for r in runs:
            web, health = r["webhook_ms"], r["healthz_ms"]
            replies = json.dumps(r["replies_per_chat"])
            rows.append([label, r["longest_stall_ms"], web["p99"], web["max"], health["p99"],
                         health["max"], r["chats_during_lock"], replies])  # fmt: skip
    if rows:
        headers = ["lock", "longest stall ms", "webhook p99", "webhook max", "healthz p99",
                   "healthz max", "chats", "replies per chat"]  # fmt: skip
        print(C.table(headers, rows))
    path = C.write_results(
        "abuse",
        {
            "machine": C.machine(),
            "before": str(args.before),
            "results": results,
            "smoke": args.smoke,
        },
    )
    if path is not None:
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
