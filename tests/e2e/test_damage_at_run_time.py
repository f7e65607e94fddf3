"""Damage found after the start (a page overwritten): the bot stops, one line, exit 3.

Every job and reply would fail on a damaged database from then on, and restarting cannot
mend it, so the bot stops cleanly at the first sign, from a job or a handler, and `run` exits
3 with one line naming the file and the way out (restore a backup), as a damaged file found
at start does; the systemd unit does not restart on 3.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.cli import UNUSABLE_DATABASE
from storage import is_damaged
from tests.conftest import START, MakeHarness
from tests.fakeapi import FakeBotApi
from tests.helpers import bot_process, clean_env, damage_table


async def test_damage_seen_by_a_job_stops_the_bot(make_harness: MakeHarness) -> None:
    bot = make_harness()
    async with bot.running() as application:
        stopped = asyncio.Event()
        application.runtime.cancel = stopped.set  # as `run` would
        await bot.say("/subscribe")
        bot.clock.set(START.replace(hour=9, minute=1))
        damage_table(bot.settings.db_path)
        await bot.tick()
        await asyncio.wait_for(stopped.wait(), timeout=5)
        found = application.runtime.damage
        assert found is not None and is_damaged(found)


@pytest.mark.slow
async def test_damage_seen_by_a_handler_is_one_line_and_exit_3(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    db = tmp_path / "bot.db"
    env = clean_env(
        tmp_path,
        TELEGRAM_BOT_TOKEN=fake.token,
        TELEGRAM_API_BASE_URL=fake.base_url,
        BACKCARE_DB=str(db),
    )
    async with bot_process(tmp_path, env, "run") as process:
        await fake.wait_call("setMyCommands", timeout=30)
        fake.api.user_message(7, "/start")
        await fake.wait_call("sendMessage", timeout=10)
        damage_table(db)
        fake.api.user_message(7, "/settings")
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=20)
    assert process.returncode == UNUSABLE_DATABASE == 3
    text = stderr.decode()
    assert "Traceback" not in text
    (line,) = [line for line in text.splitlines() if str(db) in line and "starting" not in line]
    assert line == text.strip().splitlines()[-1]
    assert line.startswith("backcare-bot: ") and "malformed" in line
    assert "restore a backup" in line and "backcare-bot db check" in line
