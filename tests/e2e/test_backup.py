"""`db backup` while the bot sends a fan-out: the copy is consistent and holds everyone."""

from __future__ import annotations

import asyncio
import io
import signal
import sqlite3
import time
from argparse import Namespace
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.ops import operators as opscli
from content import Content
from tests.fakeapi import FakeBotApi
from tests.helpers import SUBSCRIBERS, seed, start_bot, tips_per_chat

#: Chats that get nothing, only to make the file a few thousand pages long.
BYSTANDERS = 30_000
#: Tips the bot must commit while the backup is under way.
DURING_BACKUP = 50


def add_bystanders(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute(
            "INSERT INTO subscribers (chat_id, subscribed, tip_time, timezone, tip_cursor, "
            "created_at, updated_at) "
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
            "SELECT 1000000 + i, 0, '09:00', 'UTC', 0, '2026-01-01', '2026-01-01' FROM n",
            [BYSTANDERS],
        )


def sent(path: Path) -> int:
    with closing(sqlite3.connect(path)) as connection:
        (count,) = connection.execute(
            "SELECT count(*) FROM deliveries WHERE status = 'sent'"
        ).fetchone()
    return int(count)


@pytest.mark.slow
async def test_backup_during_a_fanout_is_consistent(
    fake: FakeBotApi, tmp_path: Path, content: Content, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, copy = tmp_path / "live.db", tmp_path / "copy.db"
    seed(db, content)
    add_bystanders(db)
    writes_seen: list[tuple[int, int]] = []

    class WaitingBar(opscli.tqdm):
        """After the first step, holds the backup until the bot has committed more tips."""

        def update(self, n: float | None = 1) -> Any:
            if not writes_seen:
                start = sent(db)
                deadline = time.monotonic() + 20
                while sent(db) < start + DURING_BACKUP and time.monotonic() < deadline:
                    time.sleep(0.01)
                writes_seen.append((start, sent(db)))
            return super().update(n)

    # Small steps: the copy takes many, with the bot's commits between them.
    monkeypatch.setattr(opscli, "BACKUP_PAGES", 16)
    monkeypatch.setattr(opscli, "tqdm", WaitingBar)
    settings = Settings(token="", db_path=db, default_timezone="UTC", api_base_url="")
    bot = await start_bot(fake, db, tmp_path, rate="500")
    try:
        await fake.wait_for(lambda: len(tips_per_chat(fake)) >= 200, timeout=60)
        out = io.StringIO()
        code = await asyncio.to_thread(
            opscli.main,
            Namespace(command="db", db_command="backup", path=copy, keep=None),
            settings,
            out,
        )
        still_sending = len(tips_per_chat(fake)) < SUBSCRIBERS
        bot.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(bot.communicate(), timeout=15)
    finally:
        if bot.returncode is None:
            bot.kill()
    assert bot.returncode == 0, stderr.decode()[-2000:]

    assert code == 0, out.getvalue()
    assert "integrity check of the copy: ok" in out.getvalue()
    ((before, during),) = writes_seen
    assert during >= before + DURING_BACKUP, "the bot wrote nothing while the backup ran"
    assert still_sending, "the fan-out ended before the backup did"
    with sqlite3.connect(copy) as check:
        assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert check.execute("SELECT count(*) FROM subscribers").fetchone()[0] == (
            SUBSCRIBERS + BYSTANDERS
        )
        # One snapshot: a tip marked sent and the subscriber's place moved on are one
        # transaction, so the copy has both or neither for every chat.
        torn = check.execute(
            "SELECT count(*) FROM subscribers s LEFT JOIN deliveries d "
            "ON d.chat_id = s.chat_id AND d.status = 'sent' "
            "WHERE (d.chat_id IS NULL) != (s.tip_cursor = 0)"
        ).fetchone()[0]
        copied = check.execute("SELECT count(*) FROM deliveries WHERE status = 'sent'").fetchone()
    assert torn == 0
    assert 0 < copied[0] <= before
    check_copy = Namespace(command="db", db_command="check")
    assert opscli.main(check_copy, replace(settings, db_path=copy), io.StringIO()) == 0
