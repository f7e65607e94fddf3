"""The stop-aware pool every fan-out runs on (bot/sending/pool.py): items in order, as many
workers as asked, a stop that takes nothing new, and the items it cut short given back."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.sending import pool
from bot.sending.pool import first, run_pool


def items(*values: int) -> Callable[[], int | None]:
    """``next_item`` over ``values``, then None."""
    left = list(values)
    return lambda: left.pop(0) if left else None


async def test_every_item_is_handled_once_in_order_by_one_worker() -> None:
    handled: list[int] = []

    async def handle(item: int) -> None:
        handled.append(item)

    unhandled = await run_pool(items(1, 2, 3, 4), handle, workers=1, running=lambda: True)
    assert (handled, unhandled) == ([1, 2, 3, 4], [])


async def test_items_are_taken_in_order_and_run_by_as_many_workers_as_asked() -> None:
    started: list[int] = []
    release = asyncio.Event()
    busy = 0
    most = 0

    async def handle(item: int) -> None:
        nonlocal busy, most
        started.append(item)
        busy += 1
        most = max(most, busy)
        await release.wait()
        busy -= 1

    task = asyncio.create_task(run_pool(items(*range(10)), handle, workers=3, running=lambda: True))
    while len(started) < 3:
        await asyncio.sleep(0)
    assert started == [0, 1, 2]  # three at once, the first three
    release.set()
    assert await task == []
    assert started == list(range(10)) and most == 3


async def test_no_items_and_more_workers_than_items() -> None:
    handled: list[int] = []

    async def handle(item: int) -> None:
        handled.append(item)

    assert await run_pool(items(), handle, workers=4, running=lambda: True) == []
    assert await run_pool(items(7), handle, workers=4, running=lambda: True) == []
    assert handled == [7]


async def test_a_stop_takes_nothing_new_and_lets_the_requests_in_flight_finish() -> None:
    running = True
    in_flight = asyncio.Event()
    finish = asyncio.Event()
    handled: list[int] = []
    taken: list[int] = []
    source = items(1, 2, 3, 4, 5)

    def next_item() -> int | None:
        item = source()
        if item is not None:
            taken.append(item)
        return item

    async def handle(item: int) -> None:
        in_flight.set()
        await finish.wait()
        handled.append(item)

    task = asyncio.create_task(run_pool(next_item, handle, workers=2, running=lambda: running))
    await in_flight.wait()
    running = False
    # The watcher looks every WATCH_EVERY: its next look (due before this sleep ends) sees
    # the stop; then the requests in flight end.
    await asyncio.sleep(pool.WATCH_EVERY * 2)
    finish.set()
    assert await task == []
    assert handled == [1, 2] and taken == [1, 2]


async def test_items_whose_slot_wait_a_stop_cut_short_are_given_back() -> None:
    running = True
    waiting = 0
    slot = asyncio.Event()  # never set: no send slot comes
    handled: list[int] = []

    async def acquire() -> None:
        nonlocal waiting
        waiting += 1
        await slot.wait()

    async def handle(item: int) -> None:
        handled.append(item)

    task = asyncio.create_task(
        run_pool(items(1, 2, 3, 4), handle, workers=2, running=lambda: running, acquire=acquire)
    )
    while waiting < 2:
        await asyncio.sleep(0)
    running = False
    assert sorted(await task) == [1, 2]  # taken, never sent: the caller gives them back
    assert handled == []


async def test_with_slots_every_item_is_handled() -> None:
    slots = asyncio.Semaphore(1)
    handled: list[int] = []

    async def acquire() -> None:
        await slots.acquire()

    async def handle(item: int) -> None:
        handled.append(item)
        slots.release()

    unhandled = await run_pool(
        items(1, 2, 3), handle, workers=2, running=lambda: True, acquire=acquire
    )
    assert (sorted(handled), unhandled) == ([1, 2, 3], [])


async def test_first_is_true_when_the_wait_ends_before_a_stop() -> None:
    stopping = asyncio.Event()
    assert await first(asyncio.sleep(0), stopping) is True


async def test_first_cancels_the_wait_on_a_stop() -> None:
    stopping = asyncio.Event()
    never = asyncio.Event()
    cancelled = False

    async def wait() -> None:
        nonlocal cancelled
        try:
            await never.wait()
        except asyncio.CancelledError:
            cancelled = True
            raise

    waiting = asyncio.create_task(first(wait(), stopping))
    await asyncio.sleep(0)
    stopping.set()
    assert await waiting is False
    assert cancelled
