"""`GET /metrics`: Prometheus' text format, read back with prometheus-client's own parser."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families
from telegram.error import TelegramError

from bot.jobs.daily import JOB_NAME
from tests.conftest import START, FakeClock, MakeHarness
from tests.fakeapi import FakeBotApi
from tests.helpers import SECRET, clean_env, command, free_port, message, post, webhook_bot

NINE = START.replace(hour=9, minute=1)
CHATS = [424_201, 424_202, 424_203]

Samples = dict[str, dict[tuple[tuple[str, str], ...], float]]


#: BACKCARE_METRICS_TOKEN in these tests: /metrics on the webhook's listener needs one.
TOKEN = "metrics-token-0123456789abcdef"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


async def status_of(url: str, headers: dict[str, str] | None = None) -> int:
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as response:
        return response.status


async def scrape(url: str, headers: dict[str, str] | None = BEARER) -> tuple[str, Samples]:
    """The body, and every sample as {name: {labels: value}}."""
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        body = await response.text()
    samples: Samples = {}
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            samples.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return body, samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples[name][tuple(sorted(labels.items()))]


async def test_metrics_count_tips_and_read_the_database(
    fake: FakeBotApi, tmp_path: Path, clock: FakeClock
) -> None:
    async with webhook_bot(fake, tmp_path, clock, metrics_token=TOKEN) as (application, base):
        for chat in CHATS:
            assert await post(base + "/hook", message(fake, chat, "/subscribe"), SECRET) == 200
        await fake.wait_for(lambda: all(fake.api.sent(chat) for chat in CHATS))
        clock.set(NINE)
        _, before = await scrape(base + "/metrics")
        assert value(before, "backcare_due_backlog") == len(CHATS)
        assert value(before, "backcare_oldest_due_tip_seconds") == 60

        assert application.job_queue is not None
        (job,) = application.job_queue.get_jobs_by_name(JOB_NAME)
        await job.run(application)
        body, after = await scrape(base + "/metrics")

    assert value(after, "backcare_tips_total", outcome="sent") == len(CHATS)
    for outcome in ("blocked", "refused", "failed", "skipped_missed_day"):
        assert value(after, "backcare_tips_total", outcome=outcome) == 0  # there from the start
    assert value(after, "backcare_due_backlog") == 0
    assert value(after, "backcare_oldest_due_tip_seconds") == 0
    assert value(after, "backcare_quarantined_rows") == 0
    assert value(after, "backcare_database_up") == 1
    assert value(after, "backcare_telegram_429_total") == 0
    assert value(after, "backcare_updates_dropped_total") == 0
    assert value(after, "backcare_dispatch_last_finished_seconds") == 0
    assert value(after, "backcare_telegram_up") == 1
    # Defined here, counted by the jobs.
    assert value(after, "backcare_sessions_active") == 0
    for counter in ("session_edits", "snoozes_sent", "weekly_sent"):
        assert value(after, f"backcare_{counter}_total") == 0
    # Every update handled was timed.
    assert value(after, "backcare_update_handling_seconds_count") >= len(CHATS)
    # No chat id anywhere: not in a label, not in the text.
    assert not any(str(chat) in body for chat in CHATS)
    labels = {label for samples in after.values() for key in samples for label in key}
    assert {name for name, _ in labels} <= {"outcome", "state", "table", "le"}


async def test_metrics_still_answer_when_the_database_does_not(
    fake: FakeBotApi, tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with webhook_bot(fake, tmp_path, clock, metrics_token=TOKEN) as (application, base):

        def broken(*args: object, **kwargs: object) -> int:
            raise OSError("disk gone")

        monkeypatch.setattr(application.services.store, "due_count", broken)
        _, samples = await scrape(base + "/metrics")
    assert value(samples, "backcare_database_up") == 0
    assert "backcare_due_backlog" not in samples


async def test_polling_mode_serves_metrics_on_its_own_port(make_harness: MakeHarness) -> None:
    port = free_port()
    bot = make_harness(metrics_port=port, listen="127.0.0.1")
    async with bot.running():
        await bot.fake.wait_call("setMyCommands")
        await bot.say("/help")
        _, samples = await scrape(f"http://127.0.0.1:{port}/metrics", headers=None)
        assert value(samples, "backcare_update_handling_seconds_count") >= 1
        assert value(samples, "backcare_database_up") == 1
    # Stopped with the bot.
    with pytest.raises(aiohttp.ClientConnectionError):
        await scrape(f"http://127.0.0.1:{port}/metrics", headers=None)


async def test_the_webhook_listener_serves_no_metrics_without_a_token(
    fake: FakeBotApi, tmp_path: Path, clock: FakeClock
) -> None:
    """The webhook's listener is what the public proxy forwards to."""
    async with webhook_bot(fake, tmp_path, clock) as (_, base):
        assert await status_of(base + "/metrics") == 404
        assert await status_of(base + "/metrics", BEARER) == 404


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param(None, id="none"),
        pytest.param(f"Bearer {TOKEN}x", id="wrong"),
        pytest.param(f"Basic {TOKEN}", id="not-bearer"),
        pytest.param("Bearer \udcff", id="undecodable"),
    ],
)
async def test_with_a_token_metrics_on_the_webhook_listener_need_it(
    fake: FakeBotApi, tmp_path: Path, clock: FakeClock, authorization: str | None
) -> None:
    async with webhook_bot(fake, tmp_path, clock, metrics_token=TOKEN) as (_, base):
        headers = None if authorization is None else {"Authorization": authorization}
        assert await status_of(base + "/metrics", headers) == 401
        await scrape(base + "/metrics")  # with it: 200


async def test_webhook_mode_serves_metrics_on_the_metrics_port(
    fake: FakeBotApi, tmp_path: Path, clock: FakeClock
) -> None:
    port = free_port()
    async with webhook_bot(fake, tmp_path, clock, metrics_port=port) as (_, base):
        _, samples = await scrape(f"http://127.0.0.1:{port}/metrics", headers=None)
        assert value(samples, "backcare_database_up") == 1
        assert await status_of(base + "/metrics") == 404


async def test_a_token_guards_the_metrics_port_too(
    fake: FakeBotApi, tmp_path: Path, clock: FakeClock
) -> None:
    port = free_port()
    async with webhook_bot(fake, tmp_path, clock, metrics_port=port, metrics_token=TOKEN):
        assert await status_of(f"http://127.0.0.1:{port}/metrics") == 401
        await scrape(f"http://127.0.0.1:{port}/metrics")


async def test_telegram_up_follows_the_bot_api_calls(
    fake: FakeBotApi, tmp_path: Path, clock: FakeClock
) -> None:
    async with webhook_bot(fake, tmp_path, clock, metrics_token=TOKEN) as (application, base):
        assert value((await scrape(base + "/metrics"))[1], "backcare_telegram_up") == 1
        fake.token = "987:revoked"  # Telegram answers 401 from now on: the token was revoked
        with contextlib.suppress(TelegramError):
            await application.bot.send_message(7, "hello")
        assert value((await scrape(base + "/metrics"))[1], "backcare_telegram_up") == 0


async def test_telegram_up_follows_long_polling_too(make_harness: MakeHarness) -> None:
    """A quiet bot in polling mode sends nothing: a token revoked meanwhile shows at the
    next getUpdates."""
    port = free_port()
    bot = make_harness(metrics_port=port, listen="127.0.0.1")
    url = f"http://127.0.0.1:{port}/metrics"
    async with bot.running():
        await bot.fake.wait_call("setMyCommands")
        assert value((await scrape(url, headers=None))[1], "backcare_telegram_up") == 1
        bot.fake.token = "987:revoked"  # Telegram answers 401 from now on
        await bot.fake.wait_for(lambda: bot.fake.requests_with_wrong_token)
        for _ in range(100):
            if value((await scrape(url, headers=None))[1], "backcare_telegram_up") == 0:
                break
            await asyncio.sleep(0.05)
        assert value((await scrape(url, headers=None))[1], "backcare_telegram_up") == 0


@pytest.mark.slow
async def test_a_metrics_port_in_use_is_one_line_and_exit_2(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    """A setting that cannot work: no restart loop (the unit does not restart on 2)."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = clean_env(
            tmp_path,
            TELEGRAM_BOT_TOKEN=fake.token,
            TELEGRAM_API_BASE_URL=fake.base_url,
            BACKCARE_DB=str(tmp_path / "bot.db"),
            BACKCARE_METRICS_PORT=str(port),
        )
        process = await asyncio.create_subprocess_exec(
            *command("run"),
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 2
    text = stderr.decode()
    # The start-up log comes first; then one line says what is wrong. No traceback.
    (line,) = [line for line in text.splitlines() if "BACKCARE_METRICS_PORT" in line]
    assert line.startswith("backcare-bot: ") and str(port) in line
    assert text.strip().splitlines()[-1] == line and "Traceback" not in text
