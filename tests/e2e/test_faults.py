"""Faults injected by the fake Bot API during a fan-out: each subscriber ends as it should."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest

from bot.sending.ratelimit import PriorityRateLimiter
from storage import DeliveryStatus
from tests.conftest import FakeClock, Harness, MakeHarness, settings_for
from tests.fakeapi import FakeBotApi

DAY = date(2026, 11, 26)
NINE = datetime(2026, 11, 26, 9, 0, 1, tzinfo=UTC)

#: chat id -> (faults for its sendMessage calls, expected final status, expected blocked)
PLAN: dict[int, tuple[list[str], DeliveryStatus, bool]] = {
    101: (["429:1"], DeliveryStatus.SENT, False),
    102: (["403"], DeliveryStatus.BLOCKED, True),
    103: (["400 chat not found"], DeliveryStatus.BLOCKED, True),
    104: (["500"], DeliveryStatus.SENT, False),
    105: (["timeout"], DeliveryStatus.SENT, False),
    106: (["reset"], DeliveryStatus.SENT, False),
    107: (["500", "500", "500"], DeliveryStatus.FAILED, False),
    108: (["400"], DeliveryStatus.FAILED, False),
    109: ([], DeliveryStatus.SENT, False),
}


#: The bot's settings here. Nothing is due before a test moves the clock to 09:00: the
#: delivery job may start at once (its first run is a second after start by default, which
#: many tests rely on).
SETTINGS: dict[str, Any] = {
    "send_rate": 50,
    "send_timeout": 0.5,
    "send_backoff": 0.05,
    "first_tick_seconds": 0.05,
}


@pytest.fixture
async def fanout(make_harness: MakeHarness, fake: FakeBotApi) -> AsyncIterator[Harness]:
    """Every chat of PLAN subscribed for 09:00 UTC, the bot running, the clock at 06:00."""
    fake.timeout_delay = 1.0
    bot = make_harness(**SETTINGS)
    async with bot.running():
        for chat_id in PLAN:
            await bot.say("/subscribe", chat_id=chat_id)
        yield bot


def tips_to(bot: Harness, chat_id: int) -> int:
    return sum(1 for c in bot.daily_tips() if int(c.params["chat_id"]) == chat_id)


def settled(bot: Harness) -> bool:
    """Every chat of PLAN has a final status for the day (nothing claimed or sending)."""
    for chat_id in PLAN:
        delivery = bot.store.delivery(chat_id, DAY)
        if delivery is None or delivery.status in (DeliveryStatus.CLAIMED, DeliveryStatus.SENDING):
            return False
    return True


@dataclass(frozen=True)
class End:
    """How one chat of PLAN ended the fan-out."""

    status: DeliveryStatus | None
    blocked: bool | None
    tips: int
    #: The faults the fake answered its sends with.
    faults: list[str]


@dataclass(frozen=True)
class FanOut:
    """The end of PLAN's fan-out: each chat's, and the rate limiter's count of 429s."""

    ends: dict[int, End]
    retry_after_count: int | None


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> FanOut:
    """PLAN's fan-out, run once for the cases that check it: all of PLAN's chats get their
    faults at once (they share the sender and its pauses), as in ``fanout``. (Run for each
    case, it took nine times the 429's second.)"""

    async def run() -> FanOut:
        async with FakeBotApi() as fake:
            fake.timeout_delay = 1.0
            path = tmp_path_factory.mktemp("faults") / "bot.db"
            bot = Harness(fake, FakeClock(), settings_for(fake, path, **SETTINGS))
            try:
                async with bot.running():
                    for chat_id in PLAN:
                        await bot.say("/subscribe", chat_id=chat_id)
                    for each, (faults, _, _) in PLAN.items():
                        fake.faults[each] = list(faults)
                    bot.clock.set(NINE)
                    await fake.wait_for(lambda: settled(bot), timeout=15)
                    assert bot.application is not None
                    limiter = bot.application.bot.rate_limiter
                    return FanOut(
                        {chat_id: end_of(bot, chat_id) for chat_id in PLAN},
                        limiter.retry_after_count
                        if isinstance(limiter, PriorityRateLimiter)
                        else None,
                    )
            finally:
                bot.store.close()

    return asyncio.run(run())


def end_of(bot: Harness, chat_id: int) -> End:
    delivery = bot.store.delivery(chat_id, DAY)
    subscriber = bot.store.subscriber(chat_id)
    return End(
        delivery.status if delivery is not None else None,
        subscriber.blocked if subscriber is not None else None,
        tips_to(bot, chat_id),
        [fault for chat, fault in bot.fake.injected if chat == chat_id],
    )


@pytest.mark.parametrize(
    "chat_id",
    [
        pytest.param(chat_id, id=" then ".join(faults) or "no fault")
        for chat_id, (faults, _, _) in PLAN.items()
    ],
)
def test_each_outcome_of_a_fan_out(planned: FanOut, chat_id: int) -> None:
    """All of PLAN's chats get their faults at once (they share the sender and its pauses);
    each case checks one chat's end: its status, whether it is blocked, how many tips it got,
    and that Telegram was asked no more than the plan says (a refusal is not retried)."""
    faults, status, blocked = PLAN[chat_id]
    end = planned.ends[chat_id]
    assert end.status is not None and end.blocked is not None
    assert (end.status, end.blocked) == (status, blocked)
    assert end.tips == (1 if status is DeliveryStatus.SENT else 0)
    assert end.faults == faults
    if faults == ["429:1"]:
        assert planned.retry_after_count == 1


async def test_a_failed_tip_is_retried_later_the_same_day(
    fanout: Harness, clock: FakeClock
) -> None:
    bot = fanout
    bot.fake.faults[107] = ["500", "500", "500"]
    clock.set(NINE)
    await bot.fake.wait_for(lambda: settled(bot), timeout=15)
    delivery = bot.store.delivery(107, DAY)
    assert delivery is not None and delivery.status is DeliveryStatus.FAILED
    clock.advance(minutes=5)
    await bot.fake.wait_for(
        lambda: (d := bot.store.delivery(107, DAY)) and d.status is DeliveryStatus.SENT
    )
    delivery = bot.store.delivery(107, DAY)
    assert delivery is not None and delivery.attempts == 2
    assert tips_to(bot, 107) == 1


async def test_429_pauses_every_send_then_all_arrive(fanout: Harness, clock: FakeClock) -> None:
    bot = fanout
    bot.fake.faults[101] = ["429:1"]
    clock.set(NINE)
    await bot.fake.wait_for(lambda: settled(bot), timeout=15)
    assert all(tips_to(bot, chat_id) == 1 for chat_id in PLAN)


async def test_a_slow_chat_holds_up_nobody(fanout: Harness, clock: FakeClock) -> None:
    """With small batches, a chat whose first send times out is the last to get its tip."""
    bot = fanout
    assert bot.application is not None
    bot.application.jobs.dispatcher.batch_size = 2
    bot.fake.faults[105] = ["timeout"]
    clock.set(NINE)
    await bot.fake.wait_for(lambda: settled(bot), timeout=15)
    order = [int(c.params["chat_id"]) for c in bot.daily_tips()]
    assert sorted(order) == sorted(PLAN) and order[-1] == 105
