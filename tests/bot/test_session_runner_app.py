"""The session job and the Mini App's sessions (no chat message): never rendered or edited,
only ended when over, left too long, or no longer allowed; chat sessions as before."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.jobs.sessions import APP_SETTLE_SECONDS, SessionRunner
from bot.services import Services
from storage import Store
from storage.rules.sessions import PAUSE_LIMIT, SessionState
from tests.conftest import FakeClock, contents, permit


class NoBot:
    """A bot that must not be asked anything: app sessions send nothing."""

    rate_limiter = None

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the job called bot.{name} for an app session")


@pytest.fixture
def runner(tmp_path: Path, clock: FakeClock) -> SessionRunner:
    store = Store(tmp_path / "job.db")
    store.migrate()
    settings = Settings(
        token="1:x", db_path=tmp_path / "job.db", default_timezone="UTC", api_base_url="http://x"
    )
    return SessionRunner(Services(settings=settings, store=store, contents=contents(), clock=clock))


def start(runner: SessionRunner, chat_id: int = 42) -> int:
    store, now = runner.services.store, runner.services.clock()
    started = store.start_session(permit(store, chat_id, now), "kneading", "en", now)
    assert started is not None
    return started.id


def state(runner: SessionRunner, session_id: int) -> SessionState:
    found = runner.services.store.session(session_id)
    assert found is not None
    return found.state


async def test_a_running_app_session_costs_no_request(
    runner: SessionRunner, clock: FakeClock
) -> None:
    session_id = start(runner)
    for _ in range(5):
        clock.advance(seconds=20)
        assert await runner.run(NoBot()) == 0  # type: ignore[arg-type]
    assert state(runner, session_id) is SessionState.RUNNING
    assert runner.active == 1 and not runner.shown


async def test_an_app_session_past_its_steps_is_done(
    runner: SessionRunner, clock: FakeClock
) -> None:
    session_id = start(runner)
    clock.advance(seconds=180)
    await runner.run(NoBot())  # type: ignore[arg-type]
    assert state(runner, session_id) is SessionState.DONE


async def test_an_app_session_left_paused_ends(runner: SessionRunner, clock: FakeClock) -> None:
    session_id = start(runner)
    runner.services.store.pause_session(session_id, clock())
    clock.advance(seconds=PAUSE_LIMIT.total_seconds() + 1)
    await runner.run(NoBot())  # type: ignore[arg-type]
    assert state(runner, session_id) is SessionState.ENDED


async def test_a_hold_ends_an_app_session_at_its_next_step(
    runner: SessionRunner, clock: FakeClock
) -> None:
    session_id = start(runner)
    await runner.run(NoBot())  # type: ignore[arg-type]
    runner.services.store.report_flare(42, clock())
    clock.advance(seconds=5)
    await runner.run(NoBot())  # type: ignore[arg-type]
    assert state(runner, session_id) is SessionState.RUNNING  # same step: not asked again
    clock.advance(seconds=30)
    await runner.run(NoBot())  # type: ignore[arg-type]
    assert state(runner, session_id) is SessionState.ENDED


async def test_app_sessions_are_looked_at_every_few_seconds_not_every_pass(
    runner: SessionRunner, clock: FakeClock
) -> None:
    session_id = start(runner)
    kneading = contents()["en"].technique("kneading")
    assert kneading is not None
    total = sum(kneading.timings)
    clock.advance(seconds=total - 1)
    await runner.run(NoBot())  # type: ignore[arg-type]
    assert state(runner, session_id) is SessionState.RUNNING  # looked at: one second left
    clock.advance(seconds=2)  # past its last step, but looked at a moment ago
    await runner.run(NoBot())  # type: ignore[arg-type]
    assert state(runner, session_id) is SessionState.RUNNING
    assert runner.active == 1
    clock.advance(seconds=APP_SETTLE_SECONDS)
    await runner.run(NoBot())  # type: ignore[arg-type]
    assert state(runner, session_id) is SessionState.DONE
    assert runner.active == 0
