"""A real broadcast, stopped mid fan-out by SIGTERM and killed by SIGKILL, in a process:
it stops at once, nobody gets it twice, and the rest get it after the restart."""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from pathlib import Path

import pytest

from bot import callbacks
from bot.config import DEFAULT_MAX_IN_FLIGHT
from content import Content
from storage import BroadcastStatus, Store
from tests.fakeapi import FakeBotApi
from tests.helpers import SUBSCRIBERS, seed, start_bot

#: Each test runs the bot as a process (python -m bot) and stops it by a signal.
pytestmark = pytest.mark.slow

OPERATOR = 7
#: Paced so the fan-out would last about ten seconds: long enough to stop it in the middle.
RATE = "300"
STOP_AFTER = 500


def copies_per_chat(fake: FakeBotApi) -> Counter[int]:
    """Copies of the broadcast that reached each subscriber."""
    return Counter(
        int(c.params["chat_id"])
        for c in fake.calls
        if c.method == "copyMessage" and c.error is None and int(c.params["chat_id"]) >= 10_000
    )


async def broadcast_as_operator(fake: FakeBotApi) -> None:
    """Write a message, reply to it with /broadcast and confirm, as the operator would."""
    source = fake.api.user_message(OPERATOR, "Clinic hours change next week.")
    source_id = source["message"]["message_id"]
    fake.api.user_message(OPERATOR, "/broadcast", reply_to=source_id)
    confirm = callbacks.broadcast_confirm(OPERATOR, source_id)
    preview = await fake.wait_for(
        lambda: next(
            (
                c
                for c in fake.calls
                if c.method == "sendMessage" and confirm in str(c.params.get("reply_markup"))
            ),
            None,
        ),
        timeout=30,
    )
    fake.api.press(OPERATOR, preview.result["message_id"], confirm)


async def operator_told_it_is_done(fake: FakeBotApi) -> str:
    """The final count the restarted bot sends the operator."""
    done: str = await fake.wait_for(
        lambda: next(
            (
                c.params["text"]
                for c in fake.calls
                if c.method == "sendMessage"
                and int(c.params["chat_id"]) == OPERATOR
                and "Broadcast finished" in c.params["text"]
            ),
            None,
        ),
        timeout=60,
    )
    return done


async def stop_mid_fan_out(fake: FakeBotApi, db: Path, cwd: Path, how: signal.Signals) -> int:
    """Start the bot, start a broadcast, and send ``how`` once STOP_AFTER copies are out;
    return the process's exit code and check how fast it went."""
    bot = await start_bot(fake, db, cwd, RATE, BACKCARE_ADMIN_IDS=str(OPERATOR))
    try:
        await broadcast_as_operator(fake)
        await fake.wait_for(lambda: len(copies_per_chat(fake)) >= STOP_AFTER, timeout=60)
        loop = asyncio.get_running_loop()
        started = loop.time()
        bot.send_signal(how)
        code = await asyncio.wait_for(bot.wait(), timeout=10)
        if how is signal.SIGTERM:
            assert loop.time() - started < 5, "SIGTERM must stop a broadcast within 5 s"
        return code
    finally:
        if bot.returncode is None:
            bot.kill()
            await bot.wait()


async def restart_until_done(fake: FakeBotApi, db: Path, cwd: Path) -> str:
    # Unpaced: the rest need no pace after the restart (at RATE they took eight seconds).
    bot = await start_bot(fake, db, cwd, "0", BACKCARE_ADMIN_IDS=str(OPERATOR))
    try:
        done = await operator_told_it_is_done(fake)
        bot.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(bot.wait(), timeout=10) == 0
        return done
    finally:
        if bot.returncode is None:
            bot.kill()
            await bot.wait()


async def test_sigterm_mid_broadcast_stops_at_once_and_the_rest_follow_the_restart(
    fake: FakeBotApi, tmp_path: Path, content: Content
) -> None:
    db = tmp_path / "broadcast.db"
    seed(db, content, due=False)
    assert await stop_mid_fan_out(fake, db, tmp_path, signal.SIGTERM) == 0
    before = copies_per_chat(fake)
    assert STOP_AFTER <= len(before) < SUBSCRIBERS  # stopped in the middle
    await restart_until_done(fake, db, tmp_path)
    after = copies_per_chat(fake)
    assert len(after) == SUBSCRIBERS and max(after.values()) == 1  # everyone, once
    store = Store(db)
    try:
        counts = store.broadcast_counts(1)
        assert counts[BroadcastStatus.SENT] == SUBSCRIBERS
        assert counts[BroadcastStatus.UNCERTAIN] == 0  # a clean stop leaves nothing unsure
    finally:
        store.close()


async def test_sigkill_mid_broadcast_sends_nobody_a_copy_twice(
    fake: FakeBotApi, tmp_path: Path, content: Content
) -> None:
    db = tmp_path / "broadcast.db"
    seed(db, content, due=False)
    assert await stop_mid_fan_out(fake, db, tmp_path, signal.SIGKILL) == -signal.SIGKILL
    done = await restart_until_done(fake, db, tmp_path)
    after = copies_per_chat(fake)
    assert max(after.values()) == 1  # nobody twice
    store = Store(db)
    try:
        counts = store.broadcast_counts(1)
    finally:
        store.close()
    uncertain = counts[BroadcastStatus.UNCERTAIN]
    # Only the copies in flight at the kill are unsure; each of them is counted once.
    assert uncertain <= DEFAULT_MAX_IN_FLIGHT
    assert counts[BroadcastStatus.SENT] + uncertain == SUBSCRIBERS
    assert len(after) >= SUBSCRIBERS - uncertain
    assert content.message("broadcast_done_uncertain", uncertain=str(uncertain)) in done or (
        uncertain == 0
    )
