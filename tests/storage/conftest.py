"""Fixtures the store's tests share (tests/storage/)."""

from __future__ import annotations

from datetime import time

import pytest

from storage import Store
from tests.conftest import FakeClock
from tests.storage.store_common import (
    CHAT,
    NINE,
    subscribe_at,
)


@pytest.fixture
def three_subscribers(store: Store, clock: FakeClock) -> Store:
    """Chat 1 at 07:00, chat 2 at 06:30, chat 3 at 10:00 (UTC), chat 4 not subscribed."""
    subscribe_at(store, 1, time(7, 0), clock())
    subscribe_at(store, 2, time(6, 30), clock())
    subscribe_at(store, 3, time(10, 0), clock())
    store.ensure(4, clock())
    return store


@pytest.fixture
def subscribed(store: Store, clock: FakeClock) -> Store:
    """CHAT subscribed at START for 09:00 UTC; the clock stands at 09:00."""
    store.subscribe(CHAT, clock())
    clock.set(NINE)
    return store
