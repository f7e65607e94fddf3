"""The `backcare-bot` command as a user runs it: help, a missing token, run and stop, chat."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from content import Content, load
from content.markup import plain
from tests.fakeapi import FakeBotApi
from tests.helpers import bot_process, clean_env, command, sigterm


@pytest.mark.slow
def test_help_explains_commands_and_settings(tmp_path: Path) -> None:
    top = subprocess.run(command("--help"), capture_output=True, text=True, check=True)
    for word in (
        "run",
        "chat",
        "TELEGRAM_BOT_TOKEN",
        "BACKCARE_DB",
        "BACKCARE_TIMEZONE",
        "TELEGRAM_API_BASE_URL",
    ):
        assert word in top.stdout
    run = subprocess.run(command("run", "--help"), capture_output=True, text=True, check=True)
    assert "long polling" in run.stdout and "TELEGRAM_BOT_TOKEN" in run.stdout


@pytest.mark.slow
def test_help_aligns_every_setting_in_one_column() -> None:
    top = subprocess.run(command("--help"), capture_output=True, text=True, check=True)
    lines = top.stdout.split("settings (environment variables", 1)[1].splitlines()[1:]
    assert len(lines) > 20
    columns = set()
    for line in lines:
        name = line[2:].split(" ", 1)[0] if line[2:3] != " " else ""
        assert not name or name.isupper(), line  # a setting's name, or its text going on
        text_starts = len(line) - len(line[2 + len(name) :].lstrip())
        assert line[text_starts - 2 : text_starts] == "  ", line  # two spaces at least
        columns.add(text_starts)
    assert len(columns) == 1, columns
    assert max(len(line) for line in lines) <= 100


@pytest.mark.slow
def test_missing_token_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = subprocess.run(
        command("run"), capture_output=True, text=True, cwd=tmp_path, env=clean_env(tmp_path)
    )
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "TELEGRAM_BOT_TOKEN" in lines[0] and "@BotFather" in lines[0]


@pytest.mark.slow
def test_token_from_a_dotenv_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("BACKCARE_TIMEZONE=Mars/Base\nTELEGRAM_BOT_TOKEN=1:x\n")
    result = subprocess.run(
        command("run"), capture_output=True, text=True, cwd=tmp_path, env=clean_env(tmp_path)
    )
    # The token was read from .env, so the complaint is about the next bad value.
    assert result.returncode == 2 and "BACKCARE_TIMEZONE" in result.stderr


@pytest.mark.slow
async def test_run_answers_and_stops_cleanly_on_sigterm(
    fake: FakeBotApi, tmp_path: Path, content: Content
) -> None:
    env = clean_env(
        tmp_path,
        TELEGRAM_BOT_TOKEN=fake.token,
        TELEGRAM_API_BASE_URL=fake.base_url,
        BACKCARE_DB=str(tmp_path / "run.db"),
    )
    # At DEBUG, PTB and httpx log request URLs, which carry the token: it must be redacted.
    async with bot_process(tmp_path, env, "--log-level", "DEBUG", "run") as process:
        await fake.wait_call("setMyCommands", timeout=30)
        fake.api.user_message(7, "/start")
        reply = await fake.wait_call("sendMessage", timeout=10)
        assert reply.params["text"] == content.message("welcome")
        await fake.wait_for(lambda: (tmp_path / "run.db").exists())
        log = await sigterm(process)
    assert "Traceback" not in log
    assert fake.token not in log and fake.token.split(":")[1] not in log
    assert "[REDACTED]" in log
    assert fake.requests_with_wrong_token == 0


@pytest.mark.slow
def test_chat_reads_a_script_from_standard_input(tmp_path: Path, content: Content) -> None:
    # 2: the overview picture and list; 1: kneading, which opens the caution check; 1: none
    # apply, which sends kneading's picture with its card.
    script = "/start\n2\n1\n1\n/time 7:30\n/quit\n/help\n"
    result = subprocess.run(
        command("chat"),
        input=script,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        # Production's Mini App settings are not the chat's: it serves its own.
        env=clean_env(tmp_path, BACKCARE_WEBAPP_URL="https://bot.example.org/app/"),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert re.search(r"guided session: http://127\.0\.0\.1:\d+/app/#tgWebAppData=", out)
    assert "you> /start" in out and f"[1] {content.buttons['subscribe']}" in out
    assert f"[1] {content.buttons['caution_none']}" in out
    kneading = content.technique("kneading")
    assert kneading is not None
    # Messages with buttons are numbered (bot #4>) so any of their buttons can be pressed.
    assert re.search(r"bot #\d+> \[picture: ", out)
    assert kneading.name in out.rsplit("> [picture: ", 1)[1]
    assert "07:30" in out
    assert "you> /help" not in out  # /quit ended the chat
    assert (tmp_path / "backcare-chat.db").exists()
    assert "Traceback" not in result.stderr
    # The pictures are kept, in a folder the chat names as it ends.
    folder = tmp_path / "backcare-chat-files"
    assert out.splitlines()[-1] == f"Pictures and files from this chat are in {folder}"
    assert len(list(folder.glob("photo-*.png"))) == 2


@pytest.mark.slow
def test_content_check_validates_both_languages(tmp_path: Path) -> None:
    result = subprocess.run(
        command("content", "check"),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean_env(tmp_path),
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == "content check: ok"
    assert [line.split(":")[0] for line in lines[:-1]] == ["en", "zh"]


@pytest.mark.slow
def test_content_preview_prints_chinese_as_users_see_it(tmp_path: Path) -> None:
    result = subprocess.run(
        command("content", "preview", "--lang", "zh"),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean_env(tmp_path),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    zh = load("zh")
    assert all(technique.name in result.stdout for technique in zh.techniques)
    assert plain(zh.message("program_day", day="30", days="30")) in result.stdout
    assert "<b>" not in result.stdout  # tags shown as the app would: not at all


@pytest.mark.slow
def test_run_refuses_a_keep_days_under_a_week_in_one_line(tmp_path: Path) -> None:
    env = clean_env(tmp_path, TELEGRAM_BOT_TOKEN="1:x")
    result = subprocess.run(
        command("run", "--keep-days", "3"), capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert "BACKCARE_KEEP_DAYS='3' must be a number from 7 to 36500" in line
    assert not (tmp_path / "backcare.db").exists()  # refused before anything was opened
