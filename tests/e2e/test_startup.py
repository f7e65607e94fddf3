"""Start-up against Telegram: only getMe and the token are fatal.

The command menu and the bot's descriptions are cosmetic: Telegram refusing one (or not
answering) is logged in one line and tried again on the next start. A token Telegram
refuses, Telegram out of reach, and a token that cannot be one end the start with one line
and exit 2, which the systemd unit does not restart on; nothing half-opened is left behind.
"""

from __future__ import annotations

import asyncio
import logging
import subprocess
from pathlib import Path

import pytest

from bot.jobs.daily import JOB_NAME
from content import Content
from tests.conftest import MakeHarness
from tests.fakeapi import FakeBotApi
from tests.helpers import clean_env, command

#: The token README.md shows as an example (`123456789:AAE…`), pasted as it is.
README_TOKEN = "123456789:AAE…"


@pytest.mark.parametrize(
    ("method", "fault"),
    [
        pytest.param("getMyDescription", "400", id="description-refused"),
        pytest.param("getMyDescription", "404", id="description-unknown-method"),
        pytest.param("setMyShortDescription", "500", id="short-description-5xx"),
        pytest.param("setMyCommands", "reset", id="menu-connection-dropped"),
    ],
)
async def test_a_refused_menu_or_description_does_not_stop_the_start(
    make_harness: MakeHarness,
    content: Content,
    caplog: pytest.LogCaptureFixture,
    method: str,
    fault: str,
) -> None:
    bot = make_harness()
    bot.fake.refuse[method] = fault
    with caplog.at_level(logging.WARNING):
        async with bot.running() as application:
            assert application.job_queue is not None
            assert application.job_queue.get_jobs_by_name(JOB_NAME)
            reply = await bot.say("/start")
            assert reply.params["text"] == content.message("welcome")
    warned = [r for r in caplog.records if r.name == "bot.app" and r.levelno >= logging.WARNING]
    assert len(warned) == 1, [r.getMessage() for r in warned]
    line = warned[0].getMessage()
    assert method in line and "next start" in line and "\n" not in line
    assert warned[0].exc_info is None  # one line: no traceback

    # The next start, Telegram answering again, sets what was missing.
    del bot.fake.refuse[method]
    async with bot.running():
        pass
    profile = content.profile
    assert bot.fake.api.profile["description", ""] == profile["description"]
    assert bot.fake.api.profile["short_description", ""] == profile["short_description"]
    assert bot.fake.api.commands


async def run(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`backcare-bot run` to its end, while this event loop serves the fake Bot API."""
    process = await asyncio.create_subprocess_exec(
        *command("run"),
        cwd=tmp_path,
        env=clean_env(tmp_path, BACKCARE_DB=str(tmp_path / "bot.db"), **env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return subprocess.CompletedProcess([], process.returncode, out.decode(), err.decode())


def only_line(result: subprocess.CompletedProcess[str]) -> str:
    """The one line `run` printed; nothing else (no traceback, no warning from a clean-up)."""
    lines = [line for line in result.stderr.splitlines() if "starting; database" not in line]
    assert len(lines) == 1, result.stderr
    for noise in ("Traceback", "no such table", "Unclosed", "Task was destroyed"):
        assert noise not in result.stderr
    return lines[0]


@pytest.mark.slow
async def test_a_token_telegram_refuses_is_one_line_and_exit_2(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    wrong = "123456:NOT-the-token"
    result = await run(tmp_path, TELEGRAM_BOT_TOKEN=wrong, TELEGRAM_API_BASE_URL=fake.base_url)
    assert result.returncode == 2
    line = only_line(result)
    assert line.startswith("backcare-bot: ") and "TELEGRAM_BOT_TOKEN" in line
    assert "@BotFather" in line and wrong not in line and wrong.split(":")[1] not in line
    assert fake.requests_with_wrong_token == 1  # getMe, and nothing after it
    assert not (tmp_path / "bot.db").exists() or "sessions" not in result.stderr


@pytest.mark.slow
async def test_telegram_out_of_reach_is_one_line_and_exit_2(tmp_path: Path) -> None:
    """Nothing listens on port 9: no network, or a wrong TELEGRAM_API_BASE_URL."""
    result = await run(
        tmp_path, TELEGRAM_BOT_TOKEN="1:x", TELEGRAM_API_BASE_URL="http://127.0.0.1:9/bot"
    )
    assert result.returncode == 2
    line = only_line(result)
    assert "cannot reach Telegram" in line and "TELEGRAM_API_BASE_URL" in line


@pytest.mark.slow
async def test_telegram_failing_at_start_is_one_line_and_exit_1(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    """Telegram reached but answering 5xx: restarting can fix that (the unit restarts on 1)."""
    fake.refuse["getMe"] = "500"
    result = await run(tmp_path, TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_API_BASE_URL=fake.base_url)
    assert result.returncode == 1
    line = only_line(result)
    assert line.startswith("backcare-bot: ") and "Internal Server Error" in line


@pytest.mark.slow
async def test_the_readme_placeholder_token_is_refused_before_any_call(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert README_TOKEN in readme
    result = await run(
        tmp_path, TELEGRAM_BOT_TOKEN=README_TOKEN, TELEGRAM_API_BASE_URL=fake.base_url
    )
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert "TELEGRAM_BOT_TOKEN" in line and "@BotFather" in line
    assert fake.requests_with_wrong_token == 0 and fake.calls == []
    assert not (tmp_path / "bot.db").exists()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("where", "says"),
    [
        pytest.param("folder", "is a folder", id="a-folder"),
        pytest.param("missing/bot.db", "does not exist", id="under-a-missing-folder"),
    ],
)
def test_a_database_path_that_cannot_be_a_file_is_one_line_and_exit_2(
    tmp_path: Path, where: str, says: str
) -> None:
    (tmp_path / "folder").mkdir()
    env = clean_env(
        tmp_path,
        TELEGRAM_BOT_TOKEN="1:x",
        TELEGRAM_API_BASE_URL="http://127.0.0.1:9/bot",
        BACKCARE_DB=str(tmp_path / where),
    )
    result = subprocess.run(
        command("run"), capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60
    )
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert "BACKCARE_DB" in line and says in line and "Traceback" not in result.stderr
