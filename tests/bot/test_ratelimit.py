"""The rate limiter's promises, on a fake clock: the rate is held, replies go before bulk but
bulk keeps a share, each chat gets its own pace, a 429 pauses that chat (or everything), and
a cancelled wait gives its slot up."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.sending.ratelimit import BULK, BULK_EVERY, CHAT_BURST, PriorityRateLimiter


class FakeTime:
    """A clock that moves only when the test says so, waking sleepers in order."""

    def __init__(self) -> None:
        self.t = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.t + max(seconds, 0), next(self._order), future))
        await future

    async def advance(self, seconds: float) -> None:
        """Move time on by ``seconds``, letting everything due on the way run."""
        end = self.t + seconds
        await settle()
        while self._sleepers and self._sleepers[0][0] <= end:
            when, _, future = heapq.heappop(self._sleepers)
            self.t = max(self.t, when)
            if not future.done():
                future.set_result(None)
            await settle()
        self.t = end
        await settle()


async def settle() -> None:
    """Let every task that can run, run."""
    for _ in range(50):
        await asyncio.sleep(0)


@pytest.fixture
def clock() -> FakeTime:
    return FakeTime()


@pytest.fixture
async def make(clock: FakeTime) -> AsyncIterator[Any]:
    limiters: list[PriorityRateLimiter] = []

    async def build(rate: float, chat_rate: float = 0) -> PriorityRateLimiter:
        limiter = PriorityRateLimiter(rate, chat_rate=chat_rate, clock=clock)
        await limiter.initialize()
        limiters.append(limiter)
        return limiter

    yield build
    for limiter in limiters:
        await limiter.shutdown()


def request(
    limiter: PriorityRateLimiter,
    clock: FakeTime,
    log: list[tuple[str, float]],
    name: str,
    *,
    bulk: bool = False,
    endpoint: str = "sendMessage",
    refusals: int = 0,
    chat: int | None = None,
) -> asyncio.Task[Any]:
    """Start one request that records when it reached Telegram (and is refused with a 429,
    retry_after 3, the first ``refusals`` times)."""
    left = [refusals]

    async def callback() -> dict[str, Any]:
        log.append((name, clock.now()))
        if left[0]:
            left[0] -= 1
            raise RetryAfter(3)
        return {"ok": True}

    return asyncio.create_task(
        limiter.process_request(
            callback,
            (),
            {},
            endpoint,
            {} if chat is None else {"chat_id": chat},
            BULK if bulk else None,
        )
    )


async def test_the_rate_is_held(make: Any, clock: FakeTime) -> None:
    limiter = await make(2)
    log: list[tuple[str, float]] = []
    tasks = [request(limiter, clock, log, f"m{n}") for n in range(5)]
    await clock.advance(3)
    await asyncio.gather(*tasks)
    assert [when for _, when in log] == [0.0, 0.5, 1.0, 1.5, 2.0]


async def test_a_reply_takes_the_next_slot_ahead_of_queued_bulk(make: Any, clock: FakeTime) -> None:
    limiter = await make(1)
    log: list[tuple[str, float]] = []
    tasks = [request(limiter, clock, log, f"tip{n}", bulk=True) for n in range(3)]
    await settle()  # tip0 has the first slot; tip1 and tip2 wait
    tasks.append(request(limiter, clock, log, "reply"))
    await clock.advance(4)
    await asyncio.gather(*tasks)
    assert log == [("tip0", 0.0), ("reply", 1.0), ("tip1", 2.0), ("tip2", 3.0)]


async def test_a_429_pauses_all_sending_and_retries(make: Any, clock: FakeTime) -> None:
    limiter = await make(10)
    log: list[tuple[str, float]] = []
    refused = request(limiter, clock, log, "refused", refusals=1)
    await clock.advance(0.5)
    other = request(limiter, clock, log, "other", bulk=True)
    updates = request(limiter, clock, log, "getUpdates", endpoint="getUpdates")
    await clock.advance(5)
    await asyncio.gather(refused, other, updates)
    assert log[0] == ("refused", 0.0)
    # Nothing reached Telegram during the pause, not even an unpaced request.
    assert all(when >= 3.0 for _, when in log[1:])
    assert sorted(name for name, _ in log[1:]) == ["getUpdates", "other", "refused"]
    assert limiter.retry_after_count == 1


async def test_the_429_is_raised_once_the_retries_are_spent(make: Any, clock: FakeTime) -> None:
    limiter = await make(10)
    log: list[tuple[str, float]] = []
    refused = request(limiter, clock, log, "refused", refusals=limiter.max_retries + 1)
    await clock.advance(3 * (limiter.max_retries + 1) + 1)
    with pytest.raises(RetryAfter):
        await refused
    assert len(log) == limiter.max_retries + 1


async def test_a_cancelled_wait_gives_its_slot_up(make: Any, clock: FakeTime) -> None:
    limiter = await make(1)
    log: list[tuple[str, float]] = []
    first = request(limiter, clock, log, "first")
    await settle()
    waiting = asyncio.create_task(limiter.acquire_bulk())  # a tip waiting for the next slot
    await settle()
    waiting.cancel()  # the bot is stopping: the tip is released, never sent
    later = request(limiter, clock, log, "later", bulk=True)
    await clock.advance(2)
    await asyncio.gather(first, later)
    assert waiting.cancelled()
    assert log == [("first", 0.0), ("later", 1.0)]  # the cancelled wait used no slot


async def test_shutdown_stops_handing_out_slots(make: Any, clock: FakeTime) -> None:
    limiter = await make(1)
    log: list[tuple[str, float]] = []
    await asyncio.gather(request(limiter, clock, log, "first"))
    await limiter.shutdown()
    stranded = request(limiter, clock, log, "after")
    await clock.advance(5)
    assert not stranded.done() and log == [("first", 0.0)]
    stranded.cancel()


def test_a_negative_rate_is_refused() -> None:
    with pytest.raises(ValueError, match="rate"):
        PriorityRateLimiter(-1)


async def test_bulk_keeps_a_share_while_replies_wait(make: Any, clock: FakeTime) -> None:
    """A flood of replies cannot starve the daily fan-out: one slot in BULK_EVERY is bulk's."""
    limiter = await make(1)
    log: list[tuple[str, float]] = []
    tasks = [request(limiter, clock, log, f"reply{n}") for n in range(12)]
    tasks += [request(limiter, clock, log, f"tip{n}", bulk=True) for n in range(3)]
    await clock.advance(20)
    await asyncio.gather(*tasks)
    order = [name for name, _ in log]
    tips = [i for i, name in enumerate(order) if name.startswith("tip")]
    # Three replies, then a tip: one slot in every BULK_EVERY is bulk's.
    assert tips == [BULK_EVERY - 1, 2 * BULK_EVERY - 1, 3 * BULK_EVERY - 1]
    assert [when for _, when in log] == [float(n) for n in range(15)]  # the rate still held


async def test_replies_to_one_chat_keep_its_pace_and_others_go_on(
    make: Any, clock: FakeTime
) -> None:
    limiter = await make(100, chat_rate=1)
    log: list[tuple[str, float]] = []
    flood = [request(limiter, clock, log, f"a{n}", chat=1) for n in range(6)]
    await settle()
    other = request(limiter, clock, log, "b", chat=2)
    await clock.advance(10)
    await asyncio.gather(*flood, other)
    times = {name: when for name, when in log}
    assert times["b"] < 0.1  # the other chat did not wait behind the flood
    flood_times = sorted(when for name, when in log if name.startswith("a"))
    # A burst of CHAT_BURST at once, then one a second.
    assert flood_times[CHAT_BURST - 1] < 0.1
    paced = flood_times[CHAT_BURST - 1 :]
    gaps = [b - a for a, b in itertools.pairwise(paced)]
    assert all(gap == pytest.approx(1.0, abs=0.05) for gap in gaps), flood_times


async def test_a_group_gets_a_third_of_the_pace(make: Any, clock: FakeTime) -> None:
    limiter = await make(100, chat_rate=1)
    log: list[tuple[str, float]] = []
    tasks = [request(limiter, clock, log, f"g{n}", chat=-100) for n in range(CHAT_BURST + 2)]
    await clock.advance(20)
    await asyncio.gather(*tasks)
    times = [when for _, when in log]
    assert times[CHAT_BURST] - times[CHAT_BURST - 1] == pytest.approx(3.0, abs=0.05)


async def test_bulk_spends_none_of_a_chats_replies(make: Any, clock: FakeTime) -> None:
    limiter = await make(100, chat_rate=1)
    log: list[tuple[str, float]] = []
    tip = request(limiter, clock, log, "tip", bulk=True, chat=1)
    replies = [request(limiter, clock, log, f"r{n}", chat=1) for n in range(CHAT_BURST)]
    await clock.advance(1)
    await asyncio.gather(tip, *replies)
    assert all(when < 0.1 for _, when in log)


async def test_a_429_for_one_chat_pauses_that_chat_only(make: Any, clock: FakeTime) -> None:
    limiter = await make(10)
    log: list[tuple[str, float]] = []
    refused = request(limiter, clock, log, "refused", refusals=1, chat=1)
    await clock.advance(0.5)
    same_chat = request(limiter, clock, log, "same", chat=1)
    other_chat = request(limiter, clock, log, "other", bulk=True, chat=2)
    await clock.advance(5)
    await asyncio.gather(refused, same_chat, other_chat)
    times: dict[str, list[float]] = {}
    for name, when in log:
        times.setdefault(name, []).append(when)
    assert times["other"][0] < 1.0  # another chat's tip was not held up
    assert times["same"][0] >= 3.0 and times["refused"][1] >= 3.0


async def test_429s_for_two_chats_pause_everything(make: Any, clock: FakeTime) -> None:
    """Two chats refused at once: the limit is the bot's, not one chat's."""
    limiter = await make(10)
    log: list[tuple[str, float]] = []
    first = request(limiter, clock, log, "first", refusals=1, chat=1)
    await clock.advance(0.2)
    second = request(limiter, clock, log, "second", refusals=1, chat=2)
    await clock.advance(0.2)
    third = request(limiter, clock, log, "third", chat=3)
    await clock.advance(6)
    await asyncio.gather(first, second, third)
    assert min(when for name, when in log if name == "third") >= 3.0
