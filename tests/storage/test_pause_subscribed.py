"""/pause and the pause buttons (``pause_if_subscribed``): only a chat that gets the daily
tip is paused; any other is left as it was."""

from __future__ import annotations

from datetime import timedelta

from storage import Store
from tests.conftest import FakeClock
from tests.storage.store_common import CHAT, TODAY


def test_a_subscribed_chat_is_paused(store: Store, clock: FakeClock) -> None:
    store.subscribe(CHAT, clock())
    subscriber = store.pause_if_subscribed(CHAT, 3, clock())
    assert subscriber is not None and subscriber.resume_on == TODAY + timedelta(days=3)


def test_a_chat_never_seen_is_not_paused_nor_stored(store: Store, clock: FakeClock) -> None:
    assert store.pause_if_subscribed(CHAT, 3, clock()) is None
    assert store.subscriber(CHAT) is None


def test_an_unsubscribed_chat_is_not_paused(store: Store, clock: FakeClock) -> None:
    store.subscribe(CHAT, clock())
    store.unsubscribe(CHAT, clock())
    assert store.pause_if_subscribed(CHAT, None, clock()) is None
    subscriber = store.subscriber(CHAT)
    assert subscriber is not None and subscriber.resume_on is None
