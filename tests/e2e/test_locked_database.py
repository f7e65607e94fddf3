"""Another process holding the database's write lock (a backup tool, a hand-run `sqlite3`).

The defect this guards: with a 5 s busy timeout on the event loop, one held lock froze the
whole bot (webhook POSTs took 12 s, /healthz 5 s) and the user got two "something went
wrong" messages. Now a statement on the loop waits at most ``LOCK_WAIT``: the update is
answered "busy, send it again" once, the daily tip waits for the next tick, and nothing is
lost.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from bot import callbacks
from bot.console.localapi import Call
from content import load
from storage import DeliveryStatus, is_busy
from tests.conftest import START, Harness

NINE = START.replace(hour=9, minute=1)


@contextmanager
def write_lock(harness: Harness) -> Iterator[sqlite3.Connection]:
    """Hold the database's write lock from another connection until the block ends."""
    holder = sqlite3.connect(harness.settings.db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield holder
    finally:
        if holder.in_transaction:
            holder.execute("ROLLBACK")
        holder.close()


def texts(calls: list[Call]) -> list[str]:
    return [call.params["text"] for call in calls]


async def test_a_command_that_writes_gets_one_busy_reply_and_works_after(
    harness: Harness,
) -> None:
    content = load()
    await harness.say("/subscribe")
    with write_lock(harness):
        # A newcomer: both the command and the language bookkeeping after it need the
        # lock; one apology all the same.
        replies = await harness.say_all("/subscribe", chat_id=77)
        assert texts(replies) == [content.message("busy")]
        replies = await harness.say_all("/pause")
        assert texts(replies) == [content.message("busy")]
        # Reading is not held up.
        assert "/technique" in (await harness.say("/help")).params["text"]
    subscriber = harness.store.subscriber(42)
    assert subscriber is not None and subscriber.resume_on is None  # nothing half-written
    await harness.say("/pause")
    subscriber = harness.store.subscriber(42)
    assert subscriber is not None and subscriber.resume_on is not None


async def test_a_button_pressed_during_a_lock_is_answered_once(harness: Harness) -> None:
    content = load()
    await harness.say("/subscribe")
    settings = await harness.say("/settings")
    message_id = settings.result["message_id"]
    with write_lock(harness):
        answer = await harness.press(message_id, callbacks.PAUSE_MENU)
        # Opening the pause menu only reads: it still works.
        assert answer.params.get("text") != content.answers["busy"]
        answer = await harness.press(message_id, callbacks.pause_choice(3))
        assert answer.params["text"] == content.answers["busy"]


async def test_the_daily_tip_waits_for_the_next_tick_and_is_sent_after(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await harness.say("/subscribe")
    start = len(harness.calls)
    harness.clock.set(NINE)
    caplog.set_level(logging.WARNING)
    with write_lock(harness):
        await harness.tick()
        assert harness.daily_tips(start) == []
    assert any("locked; next tick" in r.getMessage() for r in caplog.records)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    await harness.tick()
    assert len(harness.daily_tips(start)) == 1


async def test_a_lock_taken_while_a_tip_is_in_flight_loses_no_record(harness: Harness) -> None:
    """The send goes out, then the lock: the record of it is written once the lock is gone
    (it used to stay "sending" and be recorded uncertain after a restart)."""
    await harness.say("/subscribe")
    start = len(harness.calls)
    harness.clock.set(NINE)
    holder = sqlite3.connect(harness.settings.db_path, isolation_level=None)
    loop = asyncio.get_running_loop()

    def lock_then_release(chat_id: int) -> None:
        harness.fake.on_send = None
        holder.execute("BEGIN IMMEDIATE")
        loop.call_later(1.0, holder.execute, "ROLLBACK")

    harness.fake.on_send = lock_then_release
    try:
        await harness.tick()
    finally:
        holder.close()
    assert len(harness.daily_tips(start)) == 1
    delivery = harness.store.delivery(42, NINE.date())
    assert delivery is not None and delivery.status is DeliveryStatus.SENT


def test_is_busy_tells_a_lock_from_a_fault(tmp_path: object) -> None:
    locked = sqlite3.OperationalError("database is locked")
    locked.sqlite_errorcode = sqlite3.SQLITE_BUSY
    assert is_busy(locked)
    broken = sqlite3.OperationalError("disk I/O error")
    broken.sqlite_errorcode = sqlite3.SQLITE_IOERR
    assert not is_busy(broken)
    assert not is_busy(ValueError("database is locked"))
