"""One stop-aware pool of workers for every fan-out."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

Item = TypeVar("Item")

#: How often the pool looks whether the bot is stopping (seconds).
WATCH_EVERY = 0.1


async def run_pool(
    next_item: Callable[[], Item | None],
    handle: Callable[[Item], Awaitable[None]],
    *,
    workers: int,
    running: Callable[[], bool],
    acquire: Callable[[], Awaitable[None]] | None = None,
) -> list[Item]:
    """Hand items from ``next_item()`` to ``workers`` workers until none is left or the bot
    stops (``running()`` turns False).

    ``next_item`` must not await, so two workers never take the same item. With
    ``acquire``, each worker first waits for a send slot; a stop ends that wait at once. On a
    stop, workers take nothing new and the requests in flight finish.

    Returns:
        The items taken but never handled (their slot wait was cut short by a stop): the
        caller gives them back.
    """
    stopping = asyncio.Event()
    unhandled: list[Item] = []

    async def watch() -> None:
        while running():
            await asyncio.sleep(WATCH_EVERY)
        stopping.set()

    async def worker() -> None:
        while not stopping.is_set() and (item := next_item()) is not None:
            if acquire is not None and not await first(acquire(), stopping):
                unhandled.append(item)
                return
            await handle(item)

    watcher = asyncio.create_task(watch())
    try:
        await asyncio.gather(*(worker() for _ in range(workers)))
    finally:
        watcher.cancel()
    return unhandled


async def first(wanted: Awaitable[Any], stopping: asyncio.Event) -> bool:
    """Await ``wanted`` unless ``stopping`` is set first (then cancel it); True if it finished."""
    task = asyncio.ensure_future(wanted)
    stop = asyncio.create_task(stopping.wait())
    try:
        done, _ = await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        # Also when the worker itself is cancelled: leave no waiter behind to take a slot.
        stop.cancel()
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    return task in done and not task.cancelled()
