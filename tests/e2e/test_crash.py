"""SIGKILL in the middle of a fan-out: after a restart nobody gets a day's tip twice."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from pathlib import Path

import pytest

from bot.config import DEFAULT_MAX_IN_FLIGHT
from content import Content
from tests.fakeapi import FakeBotApi
from tests.helpers import SUBSCRIBERS, seed, start_bot, tips_per_chat

#: Each test runs the bot as a process (python -m bot) and stops it by a signal.
pytestmark = pytest.mark.slow

KILL_AFTER = 1000


async def test_sigkill_mid_fanout_then_restart(
    fake: FakeBotApi, tmp_path: Path, content: Content
) -> None:
    db = tmp_path / "crash.db"
    seed(db, content)
    loop = asyncio.get_running_loop()
    started = loop.time()
    first = await start_bot(fake, db, tmp_path)
    try:
        await fake.wait_for(lambda: len(tips_per_chat(fake)) >= KILL_AFTER, timeout=60)
        first.send_signal(signal.SIGKILL)
        await first.wait()
    finally:
        if first.returncode is None:
            first.kill()
    assert first.returncode == -signal.SIGKILL
    before_restart = sum(tips_per_chat(fake).values())
    assert before_restart < SUBSCRIBERS  # the kill really was mid fan-out
    print(f"killed after {before_restart} tips, {loop.time() - started:.1f} s")

    second = await start_bot(fake, db, tmp_path)
    try:
        with sqlite3.connect(db) as check:

            def finished() -> int:
                return check.execute(
                    "SELECT count(*) FROM deliveries WHERE status IN ('sent', 'uncertain')"
                ).fetchone()[0]

            await fake.wait_for(lambda: finished() == SUBSCRIBERS, timeout=120)
        second.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(second.communicate(), timeout=15)
    finally:
        if second.returncode is None:
            second.kill()
    assert second.returncode == 0, stderr.decode()[-2000:]

    tips = tips_per_chat(fake)
    assert max(tips.values()) == 1, "a chat got the day's tip twice"
    with sqlite3.connect(db) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        statuses = dict(check.execute("SELECT chat_id, status FROM deliveries").fetchall())
    missing = [chat for chat in range(10_000, 10_000 + SUBSCRIBERS) if tips[chat] == 0]
    # Only tips in flight at the kill are uncertain; they are not sent again.
    assert all(statuses[chat] == "uncertain" for chat in missing)
    assert len([s for s in statuses.values() if s == "uncertain"]) <= DEFAULT_MAX_IN_FLIGHT
    delivered = [chat for chat, count in tips.items() if count == 1]
    assert all(statuses[chat] in ("sent", "uncertain") for chat in delivered)
    assert len(statuses) == SUBSCRIBERS


async def test_sigterm_mid_fanout_stops_fast_and_loses_nothing(
    fake: FakeBotApi, tmp_path: Path, content: Content
) -> None:
    db = tmp_path / "term.db"
    seed(db, content)
    bot = await start_bot(fake, db, tmp_path, rate="100")
    try:
        await fake.wait_for(lambda: len(tips_per_chat(fake)) >= 200, timeout=60)
        loop = asyncio.get_running_loop()
        started = loop.time()
        bot.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(bot.communicate(), timeout=15)
        stopped_in = loop.time() - started
    finally:
        if bot.returncode is None:
            bot.kill()
    assert bot.returncode == 0, stderr.decode()[-2000:]
    assert stopped_in < 5
    tips = tips_per_chat(fake)
    assert max(tips.values()) == 1
    with sqlite3.connect(db) as check:
        statuses = dict(check.execute("SELECT chat_id, status FROM deliveries").fetchall())
        still_due = {
            row[0]
            for row in check.execute(
                "SELECT chat_id FROM subscribers WHERE next_due <= strftime('%s', 'now')"
            )
        }
    # Every tip that went out is recorded as sent; every other subscriber is still due today.
    assert {chat for chat, status in statuses.items() if status == "sent"} == set(tips)
    assert set(statuses.values()) == {"sent"}
    assert still_due == set(range(10_000, 10_000 + SUBSCRIBERS)) - set(tips)
