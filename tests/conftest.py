"""Shared fixtures: content, a migrated store, a fake clock, and the bot on a fake Bot API."""

from __future__ import annotations

import asyncio
import functools
import shutil
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from telegram import Update
from telegram.ext import TypeHandler

from bot.app import build_application, running
from bot.config import Settings
from bot.console.localapi import Call
from bot.context import BotApplication
from bot.jobs.base import Job
from bot.jobs.daily import JOB_NAME
from content import DEFAULT_LANGUAGE, Content, Tip, load_all
from storage import Caution, Claim, Permit, Store
from tests.fakeapi import FakeBotApi

#: Handler group for test instrumentation, after every group the bot uses.
LAST_GROUP = 99

#: A Thursday; Europe/Berlin is on UTC+1 that day.
START = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, now: datetime) -> None:
        self.now = now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


# Hypothesis profiles (tests/fuzz/): "ci" by default, the same examples on every run;
# `make fuzz` runs "fuzz" (more examples, a fresh seed); "quick" while writing a test.
_FUZZ = settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("ci", _FUZZ, max_examples=2_000, derandomize=True)
settings.register_profile("fuzz", _FUZZ, max_examples=10_000)
settings.register_profile("quick", _FUZZ, max_examples=200, derandomize=True)
settings.load_profile("ci")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The benchmarks' smoke runs first, then the other slow tests, the rest in their order:
    workers then share out the quick ones at the end (a worker that runs out takes the end of
    another's queue). Collected last, the smoke runs kept one worker busy alone for half a
    minute."""
    items.sort(
        key=lambda item: (
            item.get_closest_marker("bench") is None,
            item.get_closest_marker("slow") is None,
        )
    )


@functools.cache
def contents() -> Mapping[str, Content]:
    """Every language's content as the bot loads it (``load_all``), read once per test
    process: parsing and checking the TOML files took a tenth of a second a bot, and
    Content is frozen all the way down, so every test and bot can share it."""
    return load_all()


@pytest.fixture
def content() -> Content:
    return contents()[DEFAULT_LANGUAGE]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def new_store(path: Path, content: Content, now: datetime) -> Store:
    """A Store at ``path``, migrated, holding ``content``'s tips as of ``now``."""
    db = Store(path)
    db.migrate()
    db.sync_tips(content.tips, now)
    return db


#: Databases as ``new_store`` leaves them at START, one per set of tips, made once per test
#: process: ``store`` copies one (migrating anew was most of a storage test's time).
_MIGRATED: dict[tuple[Tip, ...], Path] = {}


@pytest.fixture
def store(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, content: Content, clock: FakeClock
) -> Store:
    path = tmp_path / "test.db"
    if clock() != START:
        return new_store(path, content, clock())
    migrated = _MIGRATED.get(content.tips)
    if migrated is None:
        migrated = tmp_path_factory.mktemp("migrated") / "test.db"
        new_store(migrated, content, START).close()
        assert not migrated.with_name("test.db-wal").exists()  # all in the one file
        _MIGRATED[content.tips] = migrated
    shutil.copyfile(migrated, path)
    return Store(path)


def send_day(store: Store, clock: FakeClock, day: int) -> Claim:
    """Claim and send the one due tip at 09:00 on START's ``day``-th day after; return it."""
    clock.set(START.replace(hour=9) + timedelta(days=day))
    (claim,) = store.claim_due(clock(), 10)
    store.mark_sent(claim, 1000 + day, clock())
    return claim


def massage_days(content: Content) -> list[int]:
    """The program days whose tip is about massage (a technique, or massage = true)."""
    return [
        tip.position
        for tip in content.tips[: content.program_days]
        if tip.technique is not None or tip.massage
    ]


@dataclass
class Harness:
    """The running bot, a fake Telegram it talks to over HTTP, and a user in a private chat."""

    fake: FakeBotApi
    clock: FakeClock
    settings: Settings
    chat_id: int = 42
    #: What the user's Telegram app reports as its language.
    language_code: str = "en"
    store: Store = field(init=False)
    #: update_ids the Application has finished handling (see ``bot_running``).
    handled: set[int] = field(default_factory=set)
    application: BotApplication | None = None

    def __post_init__(self) -> None:
        self.store = Store(self.settings.db_path)

    @property
    def calls(self) -> list[Call]:
        return self.fake.calls

    def since(self, start: int, method: str | None = None) -> list[Call]:
        """Calls made after the first ``start`` ones, optionally of one method."""
        return [c for c in self.calls[start:] if method is None or c.method == method]

    async def next_call(self, start: int, method: str, timeout: float = 5.0) -> Call:
        """The first call of ``method`` after the first ``start`` calls, waiting for it."""
        found: Call = await self.fake.wait_for(
            lambda: next(iter(self.since(start, method)), None), timeout
        )
        return found

    @asynccontextmanager
    async def running(self) -> AsyncIterator[BotApplication]:
        """Start the bot on this harness's database until the block ends; again to restart."""
        async with bot_running(
            self.settings, self.clock, self.handled, self.fake
        ) as self.application:
            yield self.application

    def pass_caution_check(self, chat_id: int | None = None) -> None:
        """Record "none of these apply", as if the user had answered the caution check."""
        self.store.set_caution(chat_id or self.chat_id, Caution.NONE, self.clock())

    async def tick(self) -> None:
        """Run the daily-tip job now and wait for it to finish (it also runs on its own)."""
        assert self.application is not None and self.application.job_queue is not None
        (job,) = self.application.job_queue.get_jobs_by_name(JOB_NAME)
        await job.run(self.application)
        # If a scheduled run was already sending, ours returned at once: wait for that one.
        dispatcher = self.application.jobs.dispatcher
        while dispatcher.busy:
            await asyncio.sleep(0.01)

    async def run(self, job: Job) -> None:
        """Run ``job`` now and wait for it to finish (it also runs on its own: if a scheduled
        run was already sending, ours returned at once, so wait for that one)."""
        assert self.application is not None
        await job.run(self.application.bot)
        while job.busy:
            await asyncio.sleep(0.01)

    def daily_tips(self, start: int = 0) -> list[Call]:
        """Daily tips sent after the first ``start`` calls."""
        header = contents()[DEFAULT_LANGUAGE].message("daily_tip", tip="").strip()
        return [c for c in self.since(start, "sendMessage") if c.params["text"].startswith(header)]

    async def handle(self, update: dict[str, Any]) -> list[Call]:
        """Wait until the bot has handled a queued update; return the calls it made meanwhile."""
        start = len(self.calls)
        await self.fake.wait_for(lambda: update["update_id"] in self.handled)
        return self.since(start)

    async def say(self, text: str, chat_id: int | None = None) -> Call:
        """Send ``text`` as the user and return the bot's first reply."""
        replies = await self.say_all(text, chat_id)
        assert replies, f"no reply to {text!r}"
        return replies[0]

    async def say_all(self, text: str, chat_id: int | None = None) -> list[Call]:
        """Send ``text`` as the user and return every message (text, photo or file) sent in
        reply."""
        start = len(self.calls)
        update = self.fake.api.user_message(
            chat_id or self.chat_id, text, language_code=self.language_code
        )
        await self.handle(update)
        return [
            c for c in self.since(start) if c.method in ("sendMessage", "sendPhoto", "sendDocument")
        ]

    async def press(self, message_id: int, data: str) -> Call:
        """Press a button with ``data`` on a message and return the bot's answerCallbackQuery."""
        start = len(self.calls)
        await self.handle(
            self.fake.api.press(self.chat_id, message_id, data, language_code=self.language_code)
        )
        answers = self.since(start, "answerCallbackQuery")
        assert len(answers) == 1, f"button {data!r} answered {len(answers)} times"
        return answers[0]


def settings_for(fake: FakeBotApi, db_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "token": fake.token,
        "db_path": db_path,
        "default_timezone": "UTC",
        "api_base_url": fake.base_url,
        "tick_seconds": 0.05,
        # Replies to one chat at Telegram's pace (1 a second) would make every test that
        # talks a while take seconds; tests of that pace turn it on (tests/e2e/test_fairness.py).
        "chat_rate": 0,
        # So would the default pace in all (25 a second: 40 ms before each reply of a test
        # that talks); 1,000 is the most the bot allows (paid broadcasts). Tests of the pace
        # set their own.
        "send_rate": 1000,
    }
    values.update(overrides)
    return Settings(**values)


@asynccontextmanager
async def bot_running(
    settings: Settings,
    clock: FakeClock,
    handled: set[int] | None = None,
    fake: FakeBotApi | None = None,
) -> AsyncIterator[BotApplication]:
    """Run a freshly built Application with polling until the block ends.

    A last handler group records each handled update_id in ``handled``: groups run in
    order, so when it runs the bot's own handlers have finished with that update. It wakes
    ``fake``'s waiters too, so a test waiting for it goes on at once.
    """
    application = build_application(settings, clock=clock, contents=contents())
    if handled is not None:

        async def record(update: Update, context: object) -> None:
            handled.add(update.update_id)
            if fake is not None:
                fake.api.notify()

        application.add_handler(TypeHandler(Update, record), group=LAST_GROUP)
    async with running(application, polling=True):
        yield application
        if fake is not None:
            await fake.poll_parked()


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as server:
        yield server


MakeHarness = Callable[..., Harness]


@pytest.fixture
def make_harness(
    request: pytest.FixtureRequest, fake: FakeBotApi, tmp_path: Path, clock: FakeClock
) -> Iterator[MakeHarness]:
    """Build a bot (not started) on the fake Bot API, its settings the defaults but for the
    keyword arguments given, and before them those of a ``harness`` mark on the test (or
    its module); every store it opened is closed at the end, pass or fail."""
    made: list[Harness] = []
    mark = request.node.get_closest_marker("harness")
    marked = mark.kwargs if mark is not None else {}

    def make(**overrides: Any) -> Harness:
        values = {**marked, **overrides}
        bot = Harness(fake, clock, settings_for(fake, tmp_path / "bot.db", **values))
        made.append(bot)
        return bot

    yield make
    for bot in made:
        bot.store.close()


@pytest.fixture
async def harness(make_harness: MakeHarness, fake: FakeBotApi) -> AsyncIterator[Harness]:
    bot = make_harness()
    async with bot.running():
        await fake.wait_call("setMyCommands")
        yield bot
    assert not [c for c in fake.calls if c.error], "the Bot API refused a request"


@pytest.fixture
def stopped(make_harness: MakeHarness) -> Harness:
    """Like ``harness``, but not started: the test starts and restarts it with ``running()``."""
    return make_harness()


def permit(store: Store, chat_id: int, now: datetime) -> Permit:
    """The safety decision's permit for ``chat_id`` at ``now``, the caution check answered
    "none apply" first if it never was (what starting a session or showing a card needs)."""
    subscriber = store.subscriber(chat_id)
    if subscriber is None or subscriber.caution is None:
        store.set_caution(chat_id, Caution.NONE, now)
    allowed = store.massage(chat_id, now)
    assert allowed.permit is not None, f"massage is held: {allowed.holds}"
    return allowed.permit
