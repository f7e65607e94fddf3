"""Writes that meet another process's lock (bot/sending/patience.py), on a real SQLite
database whose write lock a second connection holds."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.sending.patience import Patience
from storage import is_busy


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "locked.db"
    with sqlite3.connect(path) as setup:
        setup.execute("CREATE TABLE sent (n INTEGER)")
    setup.close()
    yield path


class Writer:
    """A connection that never waits for a lock (timeout 0) and records its tries."""

    def __init__(self, path: Path) -> None:
        self.connection = sqlite3.connect(path, timeout=0, isolation_level=None)
        self.tried: list[int] = []

    @property
    def tries(self) -> int:
        return len(self.tried)

    def write(self, n: int) -> Callable[[], int]:
        def action() -> int:
            self.tried.append(n)
            self.connection.execute("INSERT INTO sent VALUES (?)", (n,))
            return n

        return action


@pytest.fixture
def writer(db: Path) -> Iterator[Writer]:
    writer = Writer(db)
    yield writer
    writer.connection.close()


@pytest.fixture
def other(db: Path) -> Iterator[sqlite3.Connection]:
    """Another process's connection, holding the write lock until it commits."""
    connection = sqlite3.connect(db, isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    yield connection
    if connection.in_transaction:
        connection.rollback()
    connection.close()


def rows(db: Path) -> list[int]:
    with sqlite3.connect(db) as reader:
        found = [n for (n,) in reader.execute("SELECT n FROM sent ORDER BY rowid")]
    reader.close()
    return found


async def test_a_write_without_a_lock_runs_at_once(db: Path, writer: Writer) -> None:
    patience = Patience(retry_every=60, give_up_after=60)  # a pause would hang the test
    assert await patience.write(writer.write(1)) == 1
    assert writer.tries == 1 and rows(db) == [1]


async def test_a_locked_write_is_tried_again_until_the_lock_goes(
    db: Path, writer: Writer, other: sqlite3.Connection
) -> None:
    patience = Patience(retry_every=0.01, give_up_after=60)
    task = asyncio.create_task(patience.write(writer.write(1)))
    while writer.tries < 3:  # the loop stays free between tries
        await asyncio.sleep(0.01)
    assert not task.done()
    other.commit()
    assert await task == 1
    assert rows(db) == [1]


async def test_a_write_locked_past_the_limit_raises_the_lock_error(
    writer: Writer, other: sqlite3.Connection
) -> None:
    patience = Patience(retry_every=0.01, give_up_after=0)
    with pytest.raises(sqlite3.OperationalError) as raised:
        await patience.write(writer.write(1))
    assert is_busy(raised.value)
    assert writer.tries == 2  # the first try, and one after a pause


async def test_any_other_error_is_raised_at_once(db: Path, writer: Writer) -> None:
    patience = Patience(retry_every=60, give_up_after=60)

    def broken() -> None:
        writer.tried.append(0)
        writer.connection.execute("INSERT INTO missing VALUES (1)")

    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        await patience.write(broken)
    assert writer.tries == 1


async def test_while_one_write_waits_for_the_lock_the_others_wait_their_turn(
    db: Path, writer: Writer, other: sqlite3.Connection
) -> None:
    patience = Patience(retry_every=0.01, give_up_after=60)
    first = asyncio.create_task(patience.write(writer.write(1)))
    while writer.tries < 1:
        await asyncio.sleep(0.01)
    second = asyncio.create_task(patience.write(writer.write(2)))
    third = asyncio.create_task(patience.write(writer.write(3)))
    while writer.tries < 4:
        await asyncio.sleep(0.01)
    # Only the first retries meanwhile: the others never touch the file before their turn.
    assert set(writer.tried) == {1}
    assert not (second.done() or third.done())
    other.commit()
    assert await asyncio.gather(first, second, third) == [1, 2, 3]
    assert rows(db) == [1, 2, 3]
