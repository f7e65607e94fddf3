"""Put-off tips and weekly look backs in bulk: 10,000 of each due at once.

The bot runs in this process (``build_application`` + ``running``), the fake Bot API in
another one enforcing Telegram's 30 messages in any sliding second (429 beyond). 10,000
subscribers (no daily tip due) each have a weekly look back due and a daily tip put off with
Later due now. The weekly job, then the snooze job, runs once, as its tick would: each
must take every item due in that one run through the one fan-out (bulk priority, paced at
the bot's 25 a second), reach at least 25 messages a second, and send each at most once.

    .venv/bin/python bench/lookbacks.py [--items N] [--smoke]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import Counter
from typing import Any

import _common as C

from bot.app import build_application, running
from bot.jobs.base import always

FAKE_LIMIT = 30


def seeded(items: int) -> Any:
    """A work copy of ``items`` subscribers, each with a look back and a put-off tip due."""
    db = C.work_copy(C.seed_due(items, 0), "lookbacks.db")
    import sqlite3

    ref = int(C.REF.timestamp())
    day = C.REF.date().isoformat()
    conn = sqlite3.connect(db, isolation_level=None)
    tip = conn.execute("SELECT id FROM tips WHERE technique IS NULL AND massage = 0").fetchone()
    conn.execute("BEGIN")
    conn.execute(
        "UPDATE subscribers SET weekly_day = ?, weekly_due = ?",
        [C.REF.weekday(), ref - 60],
    )
    conn.execute(
        "INSERT INTO deliveries (chat_id, local_date, tip_id, status, attempts, updated_at, "
        "snooze_at, snoozed) SELECT chat_id, ?, ?, 'sent', 1, ?, ?, 1 FROM subscribers",
        [day, tip[0], C.REF.isoformat(), ref - 60],
    )
    conn.execute("COMMIT")
    conn.close()
    return db


async def run(items: int, send_rate: float | None) -> dict[str, Any]:
    db = seeded(items)
    results: dict[str, Any] = {"items": items, "send_rate": send_rate or "default"}
    with C.FakeServer(limit=FAKE_LIMIT) as fake:
        overrides = {} if send_rate is None else {"send_rate": send_rate}
        settings = C.settings(fake.base_url, db, **overrides)
        application = build_application(settings, clock=C.FixedClock())
        async with running(application, polling=True):
            jobs = application.jobs
            for job, name in ((jobs.weekly, "weekly"), (jobs.later, "later")):
                await asyncio.to_thread(fake.control, "reset", limit=FAKE_LIMIT)
                started = time.perf_counter()
                sent = await job.run(application.bot, always)
                seconds = time.perf_counter() - started
                stats = await asyncio.to_thread(fake.control, "stats")
                per_chat = Counter(chat for _, chat, status in stats["arrivals"] if status == 200)
                results[name] = {
                    "sent": sent,
                    "seconds": round(seconds, 2),
                    "per_second": round(sent / seconds, 1) if seconds else 0.0,
                    "most_to_one_chat": max(per_chat.values(), default=0),
                    "refused_429": sum(1 for *_, status in stats["arrivals"] if status == 429),
                }
    C.drop_copy(db)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument(
        "--send-rate", type=float, default=None, help="the bot's pacing (default: its own, 25)"
    )
    C.add_smoke(parser)
    args = parser.parse_args()
    items = 25 if args.smoke else args.items
    result = asyncio.run(run(items, args.send_rate))
    rows = [
        [
            name,
            f"{r['sent']:,}",
            r["seconds"],
            r["per_second"],
            r["most_to_one_chat"],
            r["refused_429"],
        ]
        for name, r in ((n, result[n]) for n in ("weekly", "later"))
    ]
    print(C.table(["job", "sent", "seconds", "msg/s", "most to one chat", "429s"], rows))
    C.write_results("lookbacks", {"smoke": args.smoke, **result})


if __name__ == "__main__":
    main()
