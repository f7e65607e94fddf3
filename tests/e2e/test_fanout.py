"""What every job that sends shares through the one fan-out (issue 21): Telegram's answer
is waited for ``send_timeout`` at most, paid broadcasts when they are on, a gone chat is
marked blocked in the transaction that records its message, and a bug in one daily tip's
message is that tip's alone."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.console.localapi import Call
from bot.jobs import broadcasts
from bot.jobs.base import always
from bot.render import tips as render_tips
from bot.render.common import Reply
from storage import BroadcastStatus, DeliveryStatus
from tests.conftest import START, Harness, MakeHarness
from tests.fakeapi import FakeBotApi

#: Nothing is due until a test moves the clock (tips at 09:00, the clock at 06:00): the
#: delivery job may start at once, and a test waiting for its first run waits no second.
pytestmark = pytest.mark.harness(first_tick_seconds=0.05)

CHAT = 42
NINE = START.replace(hour=9, second=1)
#: Seconds a job's message may take to arrive once due (a tick is 0.05 s in the tests).
WAIT = 1.5


@dataclass
class Due:
    """One message to CHAT about to be due: ``go()`` makes it due (or runs its job), and
    the job sends it with ``method``."""

    go: Callable[[], Awaitable[object]]
    method: str = "sendMessage"


Arrange = Callable[[Harness], Awaitable[Due]]


def to_chat(bot: Harness, start: int, method: str) -> Call | None:
    """The first ``method`` call to CHAT after the first ``start`` calls, if any."""
    return next((c for c in bot.since(start, method) if c.params.get("chat_id") == CHAT), None)


async def sent(bot: Harness, due: Due) -> Call:
    """Make ``due`` due and wait for it to be sent; return its request."""
    start = len(bot.calls)
    await due.go()
    found: Call = await bot.fake.wait_for(lambda: to_chat(bot, start, due.method), WAIT)
    return found


async def daily(bot: Harness) -> Due:
    await bot.say("/subscribe")

    async def go() -> None:
        await at(bot, NINE)
        await bot.tick()  # now, not at the job's next run

    return Due(go)


async def later(bot: Harness) -> Due:
    await bot.say("/subscribe")
    await at(bot, NINE)
    await bot.fake.wait_for(lambda: (d := bot.store.delivery(CHAT, NINE.date())) and d.message_id)
    assert bot.store.snooze(CHAT, NINE.date(), NINE + timedelta(hours=1), bot.clock())
    return Due(lambda: at(bot, NINE + timedelta(hours=1, seconds=1)))


async def weekly(bot: Harness) -> Due:
    await bot.say("/subscribe")
    bot.store.set_weekly(CHAT, START.weekday(), bot.clock())
    bot.store.db.execute("UPDATE subscribers SET next_due = NULL")  # no daily tip
    return Due(lambda: at(bot, START.replace(hour=18, minute=1)))


async def broadcast(bot: Harness) -> Due:
    await bot.say("/subscribe")
    source = await bot.say("/help")
    started = bot.store.start_broadcast(CHAT, source.result["message_id"], CHAT, bot.clock())
    assert started is not None and bot.application is not None
    application = bot.application
    return Due(
        lambda: broadcasts.send(application.bot, application.services, started, always),
        "copyMessage",
    )


async def at(bot: Harness, when: datetime) -> None:
    """Move the clock: the jobs, ticking every 0.05 s, send what is due."""
    bot.clock.set(when)


JOBS = [pytest.param(arrange, id=arrange.__name__) for arrange in (daily, later, weekly, broadcast)]


@pytest.mark.parametrize("arrange", JOBS)
async def test_every_job_waits_the_send_timeout_for_an_answer(
    make_harness: MakeHarness, fake: FakeBotApi, arrange: Arrange
) -> None:
    """Telegram does not answer the first request in time: it is tried again after
    ``send_timeout`` (0.3 s), not when the fake's 504 comes 2 s later (the transport
    alone would wait 5 s)."""
    bot = make_harness(send_timeout=0.3, send_backoff=0.05)
    async with bot.running():
        due = await arrange(bot)
        fake.faults[CHAT] = ["timeout"]
        started = time.monotonic()
        await sent(bot, due)
        assert time.monotonic() - started < 1.2
    assert [fault for chat, fault in fake.injected if chat == CHAT] == ["timeout"]


@pytest.mark.parametrize("arrange", JOBS)
async def test_paid_broadcasts_cover_every_bulk_send(
    make_harness: MakeHarness, arrange: Arrange
) -> None:
    """Paid broadcasts come with a raised send rate that every bulk send shares: a bulk
    send that is not one would meet Telegram's free limit."""
    bot = make_harness(paid_broadcast=True)
    async with bot.running():
        call = await sent(bot, await arrange(bot))
    assert call.params.get("allow_paid_broadcast") is True


@pytest.mark.parametrize("arrange", JOBS)
async def test_a_gone_chat_is_blocked_in_the_transaction_that_records_its_message(
    make_harness: MakeHarness, fake: FakeBotApi, monkeypatch: pytest.MonkeyPatch, arrange: Arrange
) -> None:
    bot = make_harness()
    async with bot.running():
        due = await arrange(bot)
        assert bot.application is not None
        store = bot.application.services.store
        still_open: list[bool] = []
        set_blocked = store.set_blocked

        def watched(chat_id: int, blocked: bool, now: Any) -> bool:
            changed = set_blocked(chat_id, blocked, now)
            # Still inside the fan-out's transaction: the job's record follows in it.
            still_open.append(store.db.conn.in_transaction)
            return changed

        monkeypatch.setattr(store, "set_blocked", watched)
        fake.faults[CHAT] = ["403"]
        await due.go()
        await bot.fake.wait_for(lambda: still_open)
    assert still_open == [True]
    subscriber = bot.store.subscriber(CHAT)
    assert subscriber is not None and subscriber.blocked
    if arrange is daily:
        delivery = bot.store.delivery(CHAT, NINE.date())
        assert delivery is not None and delivery.status is DeliveryStatus.BLOCKED
    if arrange is broadcast:
        (copy,) = bot.store.db.execute("SELECT status FROM broadcast_deliveries").fetchall()
        assert copy[0] == BroadcastStatus.BLOCKED.value


async def test_a_daily_tip_that_cannot_be_shown_fails_alone(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug rendering one chat's tip: that tip is failed (not tried again today), counted
    and logged; the other chat's tip goes out in the same run."""
    other = CHAT + 1
    await harness.say("/subscribe")
    await harness.say("/subscribe", chat_id=other)
    daily_tip = render_tips.daily_tip
    calls = 0

    def first_fails(*args: Any, **kwargs: Any) -> Reply:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ValueError("a bug in one message")
        return daily_tip(*args, **kwargs)

    monkeypatch.setattr(render_tips, "daily_tip", first_fails)
    start = len(harness.calls)
    harness.clock.set(NINE)
    await harness.fake.wait_for(lambda: harness.daily_tips(start))
    await harness.tick()
    statuses = {
        chat: d.status
        for chat in (CHAT, other)
        if (d := harness.store.delivery(chat, NINE.date())) is not None
    }
    assert sorted(statuses.values(), key=str) == sorted(
        [DeliveryStatus.FAILED, DeliveryStatus.SENT], key=str
    )
    (failed,) = [chat for chat, status in statuses.items() if status is DeliveryStatus.FAILED]
    assert harness.application is not None
    assert harness.application.jobs.dispatcher.outcomes["failed"] == 1
    # Not tried again today.
    harness.clock.set(NINE + timedelta(minutes=10))
    await harness.tick()
    assert [int(c.params["chat_id"]) for c in harness.daily_tips(start)] == [
        chat for chat in (CHAT, other) if chat != failed
    ]
