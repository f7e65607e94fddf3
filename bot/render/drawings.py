"""Charts are drawn in a small pool of threads, and a chart a chat was sent is sent again by
its file id while nothing on it changed.

Drawing /progress takes tens of milliseconds of CPU: on the event loop it would hold up
every chat, and one user pressing "My progress" again and again would draw it every time.
"""

from __future__ import annotations

import asyncio
import functools
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

#: Threads drawing at once: a flood of /progress or /stats waits here, never on the loop.
THREADS = 2
#: Chats whose last chart is remembered (the oldest forgotten first).
REMEMBERED = 10_000


class Drawings:
    """The drawing pool, and per chat the last chart sent: what it showed and its file id."""

    def __init__(self, *, threads: int = THREADS, remembered: int = REMEMBERED) -> None:
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="drawing")
        self._remembered = remembered
        self._sent: OrderedDict[int, tuple[Hashable, str]] = OrderedDict()
        #: How many pictures were drawn (for tests and metrics).
        self.drawn = 0

    async def draw(self, function: Callable[..., T], *args: object) -> T:
        """``function(*args)`` in the pool; waits its turn when the pool is busy."""
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(self._pool, functools.partial(function, *args))
        self.drawn += 1
        return result

    def sent(self, chat_id: int, key: Hashable) -> str | None:
        """The file id of the chart showing ``key`` last sent to the chat, if it is that one."""
        last = self._sent.get(chat_id)
        if last is None or last[0] != key:
            return None
        self._sent.move_to_end(chat_id)
        return last[1]

    def remember(self, chat_id: int, key: Hashable, file_id: str) -> None:
        """Keep the chart just sent to the chat (it replaces the one before)."""
        self._sent[chat_id] = (key, file_id)
        self._sent.move_to_end(chat_id)
        while len(self._sent) > self._remembered:
            self._sent.popitem(last=False)

    def remembers(self, chat_id: int) -> bool:
        """Whether a chart sent to the chat is remembered."""
        return chat_id in self._sent

    def forget(self, chat_id: int) -> None:
        """Forget the chat's chart (its data was deleted)."""
        self._sent.pop(chat_id, None)

    def close(self) -> None:
        """Stop the pool; drawings not started are dropped."""
        self._pool.shutdown(wait=False, cancel_futures=True)
