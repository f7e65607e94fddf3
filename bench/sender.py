"""Sender throughput through the real Dispatcher against a fake Bot API in another process.

The bot runs in this process (``build_application`` + ``running(polling=True)``, the
repeating job removed so that only our call runs); the fake runs in its own process
(bench/fakeapi_server.py) on 127.0.0.1. One ``Dispatcher.tick`` drains every due tip
through the one fan-out (bot/sending/fanout.py): real ``Store.claim_due`` batches, then
mark_sending / send_message / mark_sent per tip. The database holds 1M chats (20k in
--quick) of which N are due.

(a) pacing off: send_rate 0, max_in_flight 16 and 64, fake without limits; messages per
    second = N / wall time of the tick. Target >= 1,000 msg/s.
(b) pacing on: send_rate 30, max_in_flight 16, fake enforcing 30 msg/s (429 with
    retry_after=1 when more than 30 arrive in any sliding 1 s window) for ~20 s. Targets:
    achieved rate >= 95 % of 30, max in any 1 s window <= 30 (at the fake, from arrival
    times), zero 429s.

If (a) misses its target (or with --profile), diagnostics follow: ceilings without the
Dispatcher and the database (PTB's bot.send_message alone, then httpx alone posting the same
body), one run under cProfile grouped by layer, and last the same runs with ``sniffio``
importable (a stub module in this process only; see ``install_sniffio_stub``).

    /tmp/venv/bin/python bench/sender.py [--quick | --smoke] [--runs N] [--profile]

--smoke: 200 tips of 2,000 chats, a 1 s paced run, no diagnostics, no result file.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import pstats
import sqlite3
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import _common as C

from bot.app import build_application, running
from bot.context import BotContext
from bot.jobs.daily import JOB_NAME


async def run_once(
    fake: C.FakeServer,
    source: Path,
    due: int,
    *,
    send_rate: float,
    max_in_flight: int,
    limit: int,
    timeout: float,
    profiler: cProfile.Profile | None = None,
    rate_limiter: Any = None,
) -> dict[str, Any]:
    db = C.work_copy(source, "sender.db")
    settings = C.settings(fake.base_url, db, send_rate=send_rate, max_in_flight=max_in_flight)
    await asyncio.to_thread(fake.control, "reset", limit=limit)
    application = build_application(settings, clock=C.FixedClock(), rate_limiter=rate_limiter)
    gc.collect()
    async with running(application, polling=True):
        assert application.job_queue is not None
        for job in application.job_queue.get_jobs_by_name(JOB_NAME):
            job.schedule_removal()
        dispatcher = application.jobs.dispatcher
        context = BotContext(application)
        fake_cpu0 = fake.cpu_seconds()
        cpu0 = time.process_time()
        started = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        try:
            await asyncio.wait_for(dispatcher.tick(context), timeout)
            timed_out = False
        except TimeoutError:
            timed_out = True
        finally:
            if profiler is not None:
                profiler.disable()
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu0
        fake_cpu = fake.cpu_seconds() - fake_cpu0
        limiter = application.bot.rate_limiter
        transport = type(application.bot.request).__name__
        retry_after_count = getattr(limiter, "retry_after_count", None)
    stats = await asyncio.to_thread(fake.control, "stats")
    with sqlite3.connect(db) as check:
        statuses = dict(check.execute("SELECT status, count(*) FROM deliveries GROUP BY status"))
    C.drop_copy(db)
    tips = [(t, status) for t, chat, status in stats["arrivals"] if chat >= C.FIRST_CHAT]
    ok_times = [t for t, status in tips if status == 200]
    all_times = [t for t, _ in tips]
    span = (max(ok_times) - min(ok_times)) if len(ok_times) > 1 else float("nan")
    sent = statuses.get("sent", 0)
    return {
        "due": due,
        "transport": transport,
        "send_rate": send_rate,
        "max_in_flight": max_in_flight,
        "fake_limit": limit,
        "timed_out": timed_out,
        "wall_s": wall,
        "sent": sent,
        "statuses": statuses,
        "msg_per_s": sent / wall,
        "fake_rate": (len(ok_times) - 1) / span if span == span and span > 0 else float("nan"),
        "fake_requests": len(tips),
        "connections": stats["send_connections"],
        "fake_accepted": len(ok_times),
        "fake_429": sum(1 for _, status in tips if status == 429),
        "limiter_retry_after_count": retry_after_count,
        "max_in_1s_accepted": C.max_in_window(ok_times),
        "max_in_1s_all_arrivals": C.max_in_window(all_times),
        "bot_cpu_s": cpu,
        "bot_cpu_share": cpu / wall,
        "fake_cpu_s": fake_cpu,
        "fake_cpu_share": fake_cpu / wall,
        "bot_cpu_ms_per_msg": cpu / max(sent, 1) * 1000,
    }


async def run_bare(
    fake: C.FakeServer, mode: str, n: int, max_in_flight: int, timeout: float = 120
) -> dict[str, Any]:
    """A ceiling without the Dispatcher and the database: ``n`` sendMessage requests from
    ``max_in_flight`` workers, either through PTB's ``bot.send_message`` (mode "ptb": the
    same bot with the transport ``build_application`` gives it, rate limiter at rate 0), or
    straight through a bare client posting the same form-encoded body PTB sends: mode
    "httpx" (configured as PTB's HTTPXRequest configures it) or mode "aiohttp"."""
    import json

    import aiohttp
    import httpx

    from bot.ops.content import picked
    from bot.render import tips as render_tips
    from content import load

    content = load()
    reply = render_tips.daily_tip(content, picked(content, 0))
    await asyncio.to_thread(fake.control, "reset", limit=0)
    db = C.work_copy(C.seed_due(1_000, 0), "bare.db")
    settings = C.settings(fake.base_url, db, send_rate=0)
    application = build_application(settings, clock=C.FixedClock())
    chats = iter(range(C.FIRST_CHAT, C.FIRST_CHAT + n))
    async with running(application, polling=True):
        assert application.job_queue is not None
        for job in application.job_queue.get_jobs_by_name(JOB_NAME):
            job.schedule_removal()
        bot = application.bot
        client = httpx.AsyncClient(
            limits=httpx.Limits(max_connections=256, max_keepalive_connections=256),
            timeout=httpx.Timeout(10.0),
        )
        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=256))
        url = f"{fake.base_url}{C.TOKEN}/sendMessage"
        keyboard = json.dumps(reply.keyboard.to_dict()) if reply.keyboard else None

        async def worker() -> None:
            for chat in chats:
                if mode == "ptb":
                    await bot.send_message(chat, reply.text, reply_markup=reply.keyboard)
                else:
                    data = {
                        "chat_id": str(chat),
                        "text": reply.text,
                        "parse_mode": "HTML",
                        "link_preview_options": '{"is_disabled": true}',
                        "reply_markup": keyboard,
                    }
                    if mode == "httpx":
                        response = await client.post(url, data=data)
                        response.json()
                    else:
                        async with session.post(url, data=data) as answer:
                            json.loads(await answer.read())

        fake_cpu0 = fake.cpu_seconds()
        cpu0 = time.process_time()
        started = time.perf_counter()
        await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(max_in_flight))), timeout)
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu0
        fake_cpu = fake.cpu_seconds() - fake_cpu0
        await client.aclose()
        await session.close()
        transport = type(bot.request).__name__
    C.drop_copy(db)
    stats = await asyncio.to_thread(fake.control, "stats")
    sent = sum(1 for _, chat, status in stats["arrivals"] if chat >= C.FIRST_CHAT and status == 200)
    return {
        "mode": mode,
        "transport": transport if mode == "ptb" else mode,
        "max_in_flight": max_in_flight,
        "sent": sent,
        "wall_s": wall,
        "msg_per_s": sent / wall,
        "connections": stats["send_connections"],
        "bot_cpu_ms_per_msg": cpu / max(sent, 1) * 1000,
        "bot_cpu_share": cpu / wall,
        "fake_cpu_share": fake_cpu / wall,
    }


def _span(values: list[float]) -> tuple[float, float]:
    return min(values), max(values)


def install_sniffio_stub() -> None:
    """Diagnostic only, in this process: make ``import sniffio`` succeed.

    httpcore 1.0.9 runs ``import sniffio`` each time it sets up a lock (about ten times
    per request). sniffio is not in requirements.txt (anyio 4.16 no longer depends on it),
    so each of those imports fails after searching sys.path. A module in sys.modules has
    the effect installing sniffio would have; it answers as sniffio does under asyncio.
    """
    import types

    module = types.ModuleType("sniffio")

    def current_async_library() -> str:
        asyncio.current_task()  # what sniffio checks under asyncio
        return "asyncio"

    module.current_async_library = current_async_library  # type: ignore[attr-defined]
    sys.modules["sniffio"] = module


_LAYERS = (
    ("/aiohttp/", "HTTP client (aiohttp/yarl/multidict)"),
    ("/yarl/", "HTTP client (aiohttp/yarl/multidict)"),
    ("/multidict/", "HTTP client (aiohttp/yarl/multidict)"),
    ("/bot/sending/request.py", "HTTP client (aiohttp/yarl/multidict)"),
    ("httpx", "HTTP client (httpx/httpcore/h11/anyio)"),
    ("httpcore", "HTTP client (httpx/httpcore/h11/anyio)"),
    ("/h11/", "HTTP client (httpx/httpcore/h11/anyio)"),
    ("anyio", "HTTP client (httpx/httpcore/h11/anyio)"),
    ("/telegram/", "python-telegram-bot (request building, de_json, Defaults)"),
    ("sqlite_utils", "storage (sqlite3 + sqlite-utils + store.py)"),
    ("/storage/", "storage (sqlite3 + sqlite-utils + store.py)"),
    ("/asyncio/", "asyncio event loop"),
    ("selectors", "asyncio event loop"),
    ("/bot/", "bot code (delivery, render, ratelimit)"),
    ("json", "json"),
)


def _layer(filename: str, name: str) -> str:
    if "importlib" in filename or "_distutils_hack" in filename or "posix.stat" in name:
        return "import machinery (httpcore's failing `import sniffio`)"
    if "sqlite3." in name:
        return "storage (sqlite3 + sqlite-utils + store.py)"
    if "socket" in name or "_ssl" in name or "select" in name:
        return "socket syscalls"
    for needle, layer in _LAYERS:
        if needle in filename:
            return layer
    return "other (stdlib, builtins)"


def summarize_profile(profiler: cProfile.Profile, messages: int) -> dict[str, Any]:
    stats = pstats.Stats(profiler)
    total = stats.total_tt  # type: ignore[attr-defined]
    layers: Counter[str] = Counter()
    top = []
    for (filename, line, name), (_, nc, tt, _ct, _) in stats.stats.items():  # type: ignore[attr-defined]
        layers[_layer(filename, name)] += tt
        top.append((tt, nc, f"{Path(filename).name}:{line}({name})" if line else name))
    top.sort(reverse=True)
    return {
        "messages": messages,
        "profiled_cpu_s": total,
        "us_per_msg_under_profiler": total / max(messages, 1) * 1e6,
        "layers_share": {k: v / total for k, v in layers.most_common()},
        "top_tottime": [
            {"function": label, "us_per_msg": tt / max(messages, 1) * 1e6, "calls": nc}
            for tt, nc, label in top[:25]
        ],
    }


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    runs = args.runs or (1 if args.quick or args.smoke else 3)
    # The diagnostics (ceilings, what-if) explain; they are not targets: fewer messages.
    diagnostic_runs = runs
    due_diag = 200 if args.smoke else 2_000 if args.quick else 5_000
    subscribers = 2_000 if args.smoke else 20_000 if args.quick else 1_000_000
    diag_src = C.seed_due(subscribers, due_diag)
    due_fast = 200 if args.smoke else 2_000 if args.quick else 10_000
    paced_seconds = 1 if args.smoke else 10 if args.quick else 20
    due_paced = 30 * paced_seconds
    fast_src = C.seed_due(subscribers, due_fast)
    paced_src = C.seed_due(subscribers, due_paced)
    results: dict[str, Any] = {"fast": {}, "paced": [], "ceilings": {}, "what_if": {}}

    async def fast(
        label: str, into: dict[str, Any], max_in_flight: int, repeat: int, diagnostic: bool = False
    ) -> None:
        for _ in range(repeat):
            r = await run_once(
                fake,
                diag_src if diagnostic else fast_src,
                due_diag if diagnostic else due_fast,
                send_rate=0,
                max_in_flight=max_in_flight,
                limit=0,
                timeout=120,
            )
            into.setdefault(str(max_in_flight), []).append(r)
            print(
                f"  {label}, in flight {max_in_flight:>2}: {r['sent']:,} sent in "
                f"{r['wall_s']:.2f} s = {r['msg_per_s']:,.0f} msg/s (bot CPU "
                f"{r['bot_cpu_share']:.0%}, fake CPU {r['fake_cpu_share']:.0%}, "
                f"{r['connections']} connections)",
                flush=True,
            )

    async def ceilings(label: str, into: dict[str, Any]) -> None:
        for mode in ("ptb", "httpx", "aiohttp"):
            for _ in range(diagnostic_runs):
                r = await run_bare(fake, mode, due_diag, 16)
                into.setdefault(mode, []).append(r)
                print(
                    f"  {label}: {mode} only, in flight 16: {r['msg_per_s']:,.0f} msg/s "
                    f"({r['bot_cpu_ms_per_msg']:.2f} ms CPU/msg, {r['connections']} connections)",
                    flush=True,
                )

    with C.FakeServer() as fake:
        for max_in_flight in (16, 64):
            await fast("pacing off", results["fast"], max_in_flight, runs)
        r = await run_once(
            fake,
            paced_src,
            due_paced,
            send_rate=30,
            max_in_flight=16,
            limit=30,
            timeout=paced_seconds * 3 + 30,
        )
        results["paced"].append(r)
        print(
            f"  pacing 30/s vs fake limit 30/s: {r['sent']:,} sent, rate at fake "
            f"{r['fake_rate']:.2f} msg/s, max in 1 s {r['max_in_1s_accepted']}, "
            f"429s {r['fake_429']}",
            flush=True,
        )
        best = max(C.median([r["msg_per_s"] for r in v]) for v in results["fast"].values())
        if (best < 1000 and not args.smoke) or args.profile:
            await ceilings("ceiling", results["ceilings"])
            profiler = cProfile.Profile()
            n = 2000
            r = await run_once(
                fake,
                C.seed_due(subscribers, n),
                n,
                send_rate=0,
                max_in_flight=16,
                limit=0,
                timeout=120,
                profiler=profiler,
            )
            results["profile"] = {"run": r, **summarize_profile(profiler, r["sent"])}
            # Last, as it cannot be undone in this process: sniffio importable.
            install_sniffio_stub()
            for max_in_flight in (16, 64):
                await fast(
                    "what-if sniffio", results["what_if"], max_in_flight, diagnostic_runs, True
                )
            await ceilings("what-if sniffio", results["what_if"])
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--profile", action="store_true", help="profile even if on target")
    C.add_smoke(parser)
    args = parser.parse_args()
    C.quiet_logs()
    started = time.monotonic()
    print("sender: bot in this process, fake Bot API in another", flush=True)
    results = asyncio.run(main_async(args))
    elapsed = time.monotonic() - started

    def rate_rows(label: str, group: dict[str, Any]) -> list[list[Any]]:
        rows = []
        for key, runs in group.items():
            transport = runs[0].get("transport", "?")
            if key.isdigit():
                name = f"Dispatcher ({transport}), max_in_flight {key}"
            elif key == "ptb":
                name = f"bot.send_message only (no DB; {transport}), 16"
            else:
                name = f"{key} client only, 16"
            rows.append(
                [
                    label,
                    name,
                    len(runs),
                    runs[0].get("due", runs[0]["sent"]),
                    C.median([r["msg_per_s"] for r in runs]),
                    "{:.0f}-{:.0f}".format(*_span([r["msg_per_s"] for r in runs])),
                    C.median([r["bot_cpu_ms_per_msg"] for r in runs]),
                    C.median([r["bot_cpu_share"] for r in runs]),
                    C.median([r["fake_cpu_share"] for r in runs]),
                    "{:.0f}-{:.0f}".format(*_span([r["connections"] for r in runs])),
                ]
            )
        return rows

    fast_summary = {
        key: {
            "msg_per_s_median": C.median([r["msg_per_s"] for r in runs]),
            "msg_per_s_all": [r["msg_per_s"] for r in runs],
            "bot_cpu_ms_per_msg_median": C.median([r["bot_cpu_ms_per_msg"] for r in runs]),
            "bot_cpu_share_median": C.median([r["bot_cpu_share"] for r in runs]),
            "fake_cpu_share_median": C.median([r["fake_cpu_share"] for r in runs]),
            "fake_429_total": sum(r["fake_429"] for r in runs),
        }
        for key, runs in results["fast"].items()
    }
    rows = rate_rows("pacing off", results["fast"])
    rows += rate_rows("ceiling (diagnostic)", results["ceilings"])
    rows += rate_rows("what-if sniffio (diagnostic)", results["what_if"])
    print()
    table = C.table(
        [
            "run",
            "what",
            "runs",
            "messages",
            "msg/s (med)",
            "min-max",
            "bot CPU ms/msg",
            "bot CPU share",
            "fake CPU share",
            "connections",
        ],
        rows,
    )
    print(table)
    if "16" in fast_summary and "64" in fast_summary:
        ratio = fast_summary["64"]["msg_per_s_median"] / fast_summary["16"]["msg_per_s_median"]
        print(f"in flight 64 / 16: {ratio:.2f}x")
    if results["what_if"].get("16"):
        ratio = (
            C.median([r["msg_per_s"] for r in results["what_if"]["16"]])
            / fast_summary["16"]["msg_per_s_median"]
        )
        print(f"what-if sniffio / as is (in flight 16): {ratio:.2f}x")
    paced = results["paced"][0]
    paced_rows = [
        [
            paced["due"],
            paced["wall_s"],
            paced["fake_rate"],
            paced["msg_per_s"],
            paced["max_in_1s_accepted"],
            paced["max_in_1s_all_arrivals"],
            paced["fake_429"],
            paced["limiter_retry_after_count"],
        ]
    ]
    print()
    paced_table = C.table(
        [
            "tips",
            "wall s",
            "rate at fake msg/s",
            "rate end to end msg/s",
            "max in any 1 s",
            "max in 1 s (all arrivals)",
            "429s at fake",
            "limiter 429s",
        ],
        paced_rows,
    )
    print(paced_table)
    best = max(v["msg_per_s_median"] for v in fast_summary.values())
    verdict = {
        "fast_at_least_1000": best >= 1000,
        "paced_rate_at_least_95pct": paced["fake_rate"] >= 0.95 * 30,
        "paced_max_window_at_most_30": paced["max_in_1s_accepted"] <= 30,
        "paced_zero_429": paced["fake_429"] == 0,
    }
    print(
        f"\ntargets: pacing off >= 1,000 msg/s: {best:,.0f} -> {verdict['fast_at_least_1000']};"
        f" paced >= 28.5 msg/s: {paced['fake_rate']:.2f} -> "
        f"{verdict['paced_rate_at_least_95pct']}; max in 1 s <= 30: "
        f"{paced['max_in_1s_accepted']} -> {verdict['paced_max_window_at_most_30']}; "
        f"zero 429s: {paced['fake_429']} -> {verdict['paced_zero_429']}"
    )
    if "profile" in results:
        prof = results["profile"]
        print(
            f"\ncProfile of one pacing-off run ({prof['messages']:,} tips, in flight 16): "
            f"{prof['us_per_msg_under_profiler']:.0f} µs CPU per tip under the profiler"
        )
        for layer, share in prof["layers_share"].items():
            print(f"  {layer:<58} {share:6.1%}")
        for entry in prof["top_tottime"][:10]:
            print(
                f"  {entry['us_per_msg']:7.1f} µs/tip  {entry['calls']:>8} calls  "
                f"{entry['function']}"
            )
    path = C.write_results(
        "sender",
        {
            "quick": args.quick,
            "smoke": args.smoke,
            "elapsed_s": elapsed,
            "fast": {str(k): v for k, v in fast_summary.items()},
            "paced": paced,
            "targets": verdict,
            "tables": [table, paced_table],
            "raw": results["fast"],
            "ceilings": results["ceilings"],
            "what_if_sniffio": results["what_if"],
            "profile": results.get("profile"),
        },
    )
    if path is not None:
        print(f"\nwrote {path.relative_to(C.ROOT)} ({elapsed:.0f} s)")


if __name__ == "__main__":
    main()
