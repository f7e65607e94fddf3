"""The database and its WAL and SHM files are readable by the bot's user only."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage import Store
from tests.conftest import START


@pytest.fixture
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def modes(path: Path) -> dict[str, int]:
    return {
        suffix or "db": stat.S_IMODE(Path(f"{path}{suffix}").stat().st_mode)
        for suffix in ("", "-wal", "-shm")
        if Path(f"{path}{suffix}").exists()
    }


@pytest.mark.usefixtures("umask_022")
def test_a_new_database_and_its_wal_and_shm_are_0600(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    store = Store(path)
    try:
        store.migrate()
        store.subscribe(1, START)  # a write: the WAL has pages
        assert modes(path) == {"db": 0o600, "-wal": 0o600, "-shm": 0o600}
    finally:
        store.close()


@pytest.mark.usefixtures("umask_022")
def test_an_existing_database_left_readable_is_narrowed_on_open(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    Store(path).close()
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{path}{suffix}").exists():
            Path(f"{path}{suffix}").chmod(0o644)
    store = Store(path)
    try:
        store.migrate()
        assert set(modes(path).values()) == {0o600}
    finally:
        store.close()
