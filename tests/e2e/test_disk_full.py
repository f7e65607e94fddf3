"""A full disk: the bot keeps running, says sorry for what it could not store, loses nothing.

SQLite's ``max_page_count`` on the bot's own connection stands in for the disk: once the file
may not grow, every write that needs a new page fails with "database or disk is full", as it
would on a full disk.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3

import pytest

from content import load
from storage import DeliveryStatus
from tests.conftest import START, Harness

NINE = START.replace(hour=9, minute=1)


#: Chats made up to fill the tables' pages: never subscribed, so they get nothing.
FILLER = 9_000_000


def fill_the_disk(harness: Harness) -> None:
    """Let the bot's database grow no further, and take up the room left in the pages of
    the tables a subscription and a daily tip write to (a full disk refuses those too)."""
    assert harness.application is not None
    db = harness.application.services.store.db
    (pages,) = db.execute("PRAGMA page_count").fetchone()
    db.execute(f"PRAGMA max_page_count = {int(pages)}")
    fillers = {
        "subscribers": (
            "INSERT INTO subscribers (chat_id, subscribed, tip_time, timezone, tip_cursor, "
            "created_at, updated_at) VALUES (?, 0, '09:00', 'UTC', 0, 'x', 'x')"
        ),
        "deliveries": (
            "INSERT INTO deliveries (chat_id, local_date, status, attempts, updated_at) "
            "VALUES (?, '2000-01-01', 'skipped', 0, 'x')"
        ),
    }
    chat = FILLER
    for sql in fillers.values():
        with contextlib.suppress(sqlite3.OperationalError):  # "database or disk is full"
            for _ in range(100_000):
                chat += 1
                db.execute(sql, [chat])


def free_the_disk(harness: Harness) -> None:
    assert harness.application is not None
    db = harness.application.services.store.db
    db.execute("PRAGMA max_page_count = 1073741823")  # SQLite's default
    for table in ("subscribers", "deliveries"):
        db.execute(f"DELETE FROM {table} WHERE chat_id > ?", [FILLER])


async def test_a_full_disk_costs_no_one_their_tip_once_space_is_back(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    content = load()
    await harness.say("/subscribe")
    start = len(harness.calls)
    fill_the_disk(harness)
    caplog.set_level(logging.ERROR)

    # Newcomers cannot be stored: each gets one reply, the apology.
    for chat in range(5000, 5020):
        replies = await harness.say_all("/subscribe", chat_id=chat)
        assert [r.params["text"] for r in replies] == [content.message("error")]
    # Reading still works; the daily job meets the full disk and the bot runs on.
    assert "/technique" in (await harness.say("/help")).params["text"]
    harness.clock.set(NINE)
    await harness.tick()
    assert harness.application is not None and harness.application.running
    assert harness.daily_tips(start) == []  # nothing could be claimed: still due
    assert harness.store.delivery(42, NINE.date()) is None

    free_the_disk(harness)
    await harness.tick()
    # Sent once space is back: exactly one tip, recorded sent.
    assert len([c for c in harness.daily_tips(start) if c.params["chat_id"] == 42]) == 1
    delivery = harness.store.delivery(42, NINE.date())
    assert delivery is not None and delivery.status is DeliveryStatus.SENT
    # Each failure was logged as an error (for the operator), with no user text in it.
    assert all(r.getMessage() == "error while handling an update" for r in caplog.records)
