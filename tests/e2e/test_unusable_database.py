"""`backcare-bot run` on a database it cannot use: one line and exit 3, never a restart loop.

A file that is not a database, a damaged one, and one migrated by a newer version each end
the start with one line naming the file and what to do, and exit code 3, which the systemd
unit does not restart on (deploy/backcare-bot.service, RestartPreventExitStatus). Ordinary
failures still exit 1, which it does restart on.
"""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import pytest

from bot.cli import UNUSABLE_DATABASE
from storage import Store
from storage.migrations import migrations
from tests.conftest import START
from tests.fakeapi import FakeBotApi
from tests.helpers import clean_env, command


def run(tmp_path: Path, db: Path, base_url: str) -> subprocess.CompletedProcess[str]:
    env = clean_env(
        tmp_path, TELEGRAM_BOT_TOKEN="1:x", BACKCARE_DB=str(db), TELEGRAM_API_BASE_URL=base_url
    )
    return subprocess.run(
        command("run"), capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60
    )


def good_database(path: Path) -> None:
    store = Store(path)
    store.migrate()
    for chat in range(1, 200):
        store.subscribe(chat, START)
    store.close()


def not_a_database(path: Path) -> None:
    path.write_text("these are my notes, not a database\n" * 200)


def damaged(path: Path) -> None:
    """A real database whose first page (the schema's b-tree) was overwritten."""
    good_database(path)
    with path.open("r+b") as file:
        file.seek(100)
        file.write(b"\xff" * 200)


def newer(path: Path) -> None:
    """Migrated by a version with one more migration than this one."""
    good_database(path)
    store = Store(path)
    table = store.db.table(migrations.migrations_table)
    row = {"migration_set": migrations.name, "name": "m999_from_the_future"}
    table.insert({**row, "applied_at": START.isoformat()})
    store.close()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("make", "says"),
    [
        pytest.param(not_a_database, "is not a usable database", id="not-a-database"),
        pytest.param(damaged, "is not a usable database", id="damaged"),
        pytest.param(newer, "m999_from_the_future", id="migrated-by-a-newer-version"),
    ],
)
async def test_one_line_and_exit_3(
    fake: FakeBotApi, tmp_path: Path, make: object, says: str
) -> None:
    db = tmp_path / "bot.db"
    make(db)  # type: ignore[operator]
    before = db.read_bytes()

    result = run(tmp_path, db, fake.base_url)

    assert result.returncode == UNUSABLE_DATABASE == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(db.name) in lines[0] and says in lines[0]
    assert "Traceback" not in result.stderr and fake.token not in result.stderr
    assert db.read_bytes() == before  # nothing written to it
    if says != "m999_from_the_future":
        assert "backcare-bot db check" in lines[0]


@pytest.mark.slow
async def test_an_ordinary_failure_still_exits_1(fake: FakeBotApi, tmp_path: Path) -> None:
    """Telegram answering 500 to getMe: a failure restarting can fix."""
    db = tmp_path / "bot.db"
    good_database(db)
    fake.refuse["getMe"] = "500"
    env = clean_env(
        tmp_path,
        TELEGRAM_BOT_TOKEN=fake.token,
        BACKCARE_DB=str(db),
        TELEGRAM_API_BASE_URL=fake.base_url,
    )
    process = await asyncio.create_subprocess_exec(
        *command("run"), cwd=tmp_path, env=env, stderr=asyncio.subprocess.PIPE
    )
    await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 1
