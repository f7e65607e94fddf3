"""The Mini App's guided sessions against the chat's: the server's CPU per active session.

A chat session is one message the bot edits as the timer moves (every 5 s, and at each new
step); a Mini App session runs its clock on the device and only reports events (start,
pause, resume, skip, finish, stop, the pain stop, how it felt). Measured in this process,
CPU time only (``time.thread_time`` of the thread that serves, ``time.process_time`` for
the job):

- one API event: the Mini App's real server (bot/web/miniapp.py) on 127.0.0.1, launch data
  checked and the row written, as the page sends it; a client in another thread (its CPU
  is not counted) starts, pauses, resumes and stops sessions for many users;
- the session job (bot/jobs/sessions.py) over N running sessions: app sessions (no message:
  a clock comparison each, the safety decision at a new step) against chat sessions (each
  edit rendered and sent through python-telegram-bot to a Bot API that answers at once, so
  the network's own cost is left out).

    .venv/bin/python bench/miniapp.py [--sessions 1000 10000] [--events 2000] [--smoke]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import _common as C
from telegram.request import BaseRequest, RequestData

TOKEN = "123456:BENCH-MINIAPP"
#: Chat sessions: the countdown moves every this many seconds (SESSION_DISPLAY_SECONDS).
DISPLAY_SECONDS = 5
#: Kneading: five steps in 180 s, each a change the chat must show.
KNEADING_SECONDS, KNEADING_STEPS = 180, 5
#: Events an app session sends in a typical run: start, pause, resume, finish, how it felt.
EVENTS_PER_SESSION = 5
#: Chat messages edited one by one to measure one edit.
EDITS = 500


def services(db: Path, clock: Any, **overrides: Any) -> Any:
    from bot.services import Services
    from content import load_all
    from storage import Store

    store = Store(db)
    store.migrate()
    settings = C.settings("http://127.0.0.1:1/bot", db, token=TOKEN, **overrides)
    return Services(settings=settings, store=store, contents=load_all(), clock=clock)


def seed(svc: Any, sessions: int, *, in_chat: bool) -> None:
    """``sessions`` chats, each with a running kneading session started at the clock's now
    (a chat session with a message, an app session without)."""
    from storage import Caution

    store, now = svc.store, svc.clock()
    for n in range(sessions):
        chat = 1_000 + n
        store.set_caution(chat, Caution.NONE, now)
        permit = store.massage(chat, now).permit
        assert permit is not None
        session = store.start_session(permit, "kneading", "en", now)
        assert session is not None
        if in_chat:
            store.set_session_message(session.id, 10_000 + n, now)


# One API event ------------------------------------------------------------------------------


def _client(base: str, users: int, clock: Any, out: dict[str, Any]) -> None:
    """Another thread: for each user, start a session, pause, resume and stop it."""
    import aiohttp

    from bot.web.initdata import sign

    async def run() -> None:
        counts = {"start": 0, "pause": 0, "resume": 0, "stop": 0}
        async with aiohttp.ClientSession() as session:
            for n in range(users):
                user = 1_000 + n
                data = sign(TOKEN, user_id=user, auth_date=clock())
                headers = {"Authorization": f"tma {data}"}
                async with session.post(
                    base + "api/sessions", json={"technique": "kneading"}, headers=headers
                ) as response:
                    assert response.status == 201, await response.text()
                    session_id = (await response.json())["session"]["id"]
                counts["start"] += 1
                for action in ("pause", "resume", "stop"):
                    async with session.post(
                        f"{base}api/sessions/{session_id}/{action}", headers=headers
                    ) as response:
                        assert response.status == 200, await response.text()
                    counts[action] += 1
        out["counts"] = counts

    asyncio.run(run())


async def measure_events(users: int) -> dict[str, Any]:
    """CPU of the serving thread per API event, over ``users`` × 4 events."""
    from aiohttp import web

    from bot.web import miniapp
    from storage import Caution

    clock = C.FixedClock()
    with tempfile.TemporaryDirectory() as folder:
        svc = services(Path(folder) / "events.db", clock)
        for n in range(users):
            svc.store.set_caution(1_000 + n, Caution.NONE, clock())

        async def notify(chat_id: int, reply: Any) -> None:
            return None

        parent = web.Application()
        miniapp.mount(parent, svc, notify)
        runner = web.AppRunner(parent, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        out: dict[str, Any] = {}
        client = threading.Thread(
            target=_client, args=(f"http://127.0.0.1:{port}/app/", users, clock, out)
        )
        cpu, wall = time.thread_time(), time.perf_counter()
        client.start()
        while client.is_alive():
            await asyncio.sleep(0.005)
        cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
        client.join()
        await runner.cleanup()
        svc.store.close()
    events = sum(out["counts"].values())
    return {
        "users": users,
        "events": events,
        "cpu_ms_per_event": round(cpu * 1000 / events, 3),
        "wall_s": round(wall, 2),
    }


# The session job ----------------------------------------------------------------------------


class CannedRequest(BaseRequest):
    """A Bot API that answers every call at once (python-telegram-bot's own work is counted,
    the network's is not)."""

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1].lower()
        params: dict[str, Any] = dict(request_data.parameters) if request_data else {}
        if name == "getme":
            result: Any = {"id": 1, "is_bot": True, "first_name": "B", "username": "b"}
        else:
            result = {
                "message_id": int(params.get("message_id", 1)),
                "date": 0,
                "chat": {"id": int(params.get("chat_id", 1)), "type": "private"},
                "text": str(params.get("text", "")),
            }
        return 200, json.dumps({"ok": True, "result": result}).encode()


async def measure_job(sessions: int, *, in_chat: bool, passes: int) -> dict[str, Any]:
    """CPU of the session job over ``sessions`` running sessions: the first pass (every
    chat message edited; every app session's safety decision asked) and the mean of the
    steady passes after it, one a second of the clock."""
    from telegram.ext import ExtBot

    from bot.jobs.sessions import SessionRunner
    from bot.sending.ratelimit import PriorityRateLimiter

    clock = C.FixedClock()
    with tempfile.TemporaryDirectory() as folder:
        # No pacing: every edit due goes out in the pass, so its cost is all counted.
        svc = services(Path(folder) / "job.db", clock, send_rate=0)
        seed(svc, sessions, in_chat=in_chat)
        runner = SessionRunner(svc)
        # The bot's own limiter, pacing off (as BACKCARE_SEND_RATE=0 and CHAT_RATE=0).
        limiter = PriorityRateLimiter(0, chat_rate=0)
        bot: Any = ExtBot(TOKEN, request=CannedRequest(), rate_limiter=limiter)
        await bot.initialize()
        cpu = time.process_time()
        first_edits = await runner.run(bot)
        first = time.process_time() - cpu
        steady: list[float] = []
        edits = 0
        for _ in range(passes):
            clock.now += timedelta(seconds=1)
            cpu = time.process_time()
            edits += await runner.run(bot)
            steady.append(time.process_time() - cpu)
        per_edit_ms = None
        if in_chat:
            # One chat message rendered and edited, alone (as a press shows it).
            ids = [session.id for session in svc.store.active_sessions()][:EDITS]
            clock.now += timedelta(seconds=DISPLAY_SECONDS)
            cpu = time.process_time()
            for session_id in ids:
                await runner.refresh(bot, session_id)
            per_edit_ms = (time.process_time() - cpu) * 1000 / max(len(ids), 1)
        await bot.shutdown()
        svc.store.close()
    return {
        "sessions": sessions,
        "kind": "chat" if in_chat else "app",
        "per_edit_ms": None if per_edit_ms is None else round(per_edit_ms, 3),
        "first_pass_ms": round(first * 1000, 2),
        "first_pass_edits": first_edits,
        # The mean, not the median: the app's sessions are looked at every
        # APP_SETTLE_SECONDS, so most passes skip them and one in ten pays for all.
        "steady_pass_ms": round(sum(steady) / len(steady) * 1000, 2),
        "steady_edits_per_pass": round(edits / passes, 1),
    }


def per_session_second(events: dict[str, Any], app: dict[str, Any], chat: dict[str, Any]) -> Any:
    """CPU per active session per second of its run, in microseconds: (app, chat as run,
    chat at its design rate).

    App: the job's steady pass (once a second) over the sessions, plus its few events
    spread over a run. Chat as run: the job's steady pass, the countdown edits it sent
    included (thinned to 12 a second in all beyond 60 sessions). Chat at its design rate:
    its edits alone (a countdown every 5 s and each new step), at what one edit costs.
    """
    n = app["sessions"]
    app_us = (
        app["steady_pass_ms"] * 1000 / n
        + EVENTS_PER_SESSION * events["cpu_ms_per_event"] * 1000 / KNEADING_SECONDS
    )
    as_run_us = chat["steady_pass_ms"] * 1000 / n
    design_us = (
        (1 / DISPLAY_SECONDS + KNEADING_STEPS / KNEADING_SECONDS) * chat["per_edit_ms"] * 1000
    )
    return round(app_us, 2), round(as_run_us, 1), round(design_us, 1)


async def run(sizes: list[int], users: int, passes: int) -> dict[str, Any]:
    events = await measure_events(users)
    jobs = []
    for size in sizes:
        for in_chat in (False, True):
            jobs.append(await measure_job(size, in_chat=in_chat, passes=passes))
    return {"events": events, "jobs": jobs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--events", type=int, default=2_000, help="API events (users × 4)")
    parser.add_argument(
        "--passes", type=int, default=30, help="steady passes of the job (a second each)"
    )
    C.add_smoke(parser)
    args = parser.parse_args()
    C.quiet_logs()
    if args.smoke:
        sizes, users, passes = [20], 5, 2
    else:
        sizes, users, passes = args.sessions, max(1, args.events // 4), args.passes
    result = asyncio.run(run(sizes, users, passes))
    events = result["events"]
    print(
        f"one API event: {events['cpu_ms_per_event']} ms CPU "
        f"({events['events']} events, {events['wall_s']} s)"
    )
    rows = [
        [
            job["sessions"],
            job["kind"],
            job["first_pass_ms"],
            job["first_pass_edits"],
            job["steady_pass_ms"],
            job["steady_edits_per_pass"],
        ]
        for job in result["jobs"]
    ]
    print(
        C.table(
            ["sessions", "kind", "first pass ms", "edits", "steady pass ms", "edits/pass"], rows
        )
    )
    compare = []
    by = {(job["sessions"], job["kind"]): job for job in result["jobs"]}
    for size in sizes:
        chat = by[size, "chat"]
        app_us, as_run_us, design_us = per_session_second(events, by[size, "app"], chat)
        compare.append(
            [size, app_us, as_run_us, design_us, chat["per_edit_ms"], round(design_us / app_us)]
        )
    print("CPU per active session per second (µs):")
    print(
        C.table(
            ["sessions", "app", "chat as run", "chat as designed", "ms/edit", "designed ÷ app"],
            compare,
        )
    )
    result["per_session_second_us"] = compare
    C.write_results("miniapp", {"smoke": args.smoke, **result})


if __name__ == "__main__":
    main()
