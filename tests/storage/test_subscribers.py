"""The SQLite store, one section of what was test_store.py: Subscribing, settings and who is
subscribed."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from storage import Store
from tests.conftest import START, FakeClock
from tests.storage.store_common import (
    CHAT,
    NINE,
)

# Subscribers -----------------------------------------------------------------------------------


def test_new_chat_is_not_subscribed(store: Store, clock: FakeClock) -> None:
    subscriber = store.ensure(CHAT, clock())
    assert (subscriber.subscribed, subscriber.next_due) == (False, None)


def test_settings_of_a_new_chat_are_the_defaults_and_store_nothing(
    store: Store, clock: FakeClock
) -> None:
    shown = store.settings_of(CHAT)
    assert store.subscriber(CHAT) is None
    assert shown == store.ensure(CHAT, clock())


def test_settings_of_a_known_chat_are_its_own(store: Store, clock: FakeClock) -> None:
    subscribed, _ = store.subscribe(CHAT, clock())
    assert store.settings_of(CHAT) == subscribed


def test_subscribe_reports_a_change(store: Store, clock: FakeClock) -> None:
    subscriber, changed = store.subscribe(CHAT, clock())
    assert (subscriber.subscribed, changed) == (True, True)


def test_subscribe_schedules_todays_tip(store: Store, clock: FakeClock) -> None:
    subscriber, _ = store.subscribe(CHAT, clock())
    assert subscriber.next_due == NINE


def test_subscribe_twice_reports_no_change(store: Store, clock: FakeClock) -> None:
    store.subscribe(CHAT, clock())
    subscriber, changed = store.subscribe(CHAT, clock())
    assert (subscriber.subscribed, changed) == (True, False)


def test_unsubscribe_reports_a_change_and_clears_next_due(store: Store, clock: FakeClock) -> None:
    store.subscribe(CHAT, clock())
    subscriber, changed = store.unsubscribe(CHAT, clock())
    assert (subscriber.subscribed, subscriber.next_due, changed) == (False, None, True)


def test_unsubscribe_when_not_subscribed_reports_no_change(store: Store, clock: FakeClock) -> None:
    _, changed = store.unsubscribe(CHAT, clock())
    assert changed is False


def test_set_time_reschedules(store: Store, clock: FakeClock) -> None:
    store.subscribe(CHAT, clock())
    subscriber = store.set_time(CHAT, time(7, 30), clock())
    assert subscriber.next_due == START.replace(hour=7, minute=30)


def test_set_timezone_reschedules_in_local_time(store: Store, clock: FakeClock) -> None:
    store.subscribe(CHAT, clock())
    subscriber = store.set_timezone(CHAT, "Europe/Berlin", clock())
    assert subscriber.next_due == START.replace(hour=8)  # 09:00 in Berlin, UTC+1


def test_set_timezone_unknown_raises_and_writes_nothing(store: Store, clock: FakeClock) -> None:
    before = store.subscribe(CHAT, clock())[0]
    clock.advance(minutes=1)
    with pytest.raises(ValueError):
        store.set_timezone(CHAT, "Mars/Base", clock())
    assert store.subscriber(CHAT) == before


def test_set_timezone_unknown_creates_no_chat(store: Store, clock: FakeClock) -> None:
    with pytest.raises(ValueError):
        store.set_timezone(CHAT, "Mars/Base", clock())
    assert store.subscriber(CHAT) is None


def test_blocking_stops_tips_and_keeps_the_subscription(store: Store, clock: FakeClock) -> None:
    store.subscribe(CHAT, clock())
    assert store.set_blocked(CHAT, True, clock()) is True
    subscriber = store.subscriber(CHAT)
    assert subscriber is not None
    assert (subscriber.subscribed, subscriber.blocked, subscriber.next_due) == (True, True, None)
    assert store.due(clock() + timedelta(days=2)) == []


def test_unblocking_resumes_tips(store: Store, clock: FakeClock) -> None:
    store.subscribe(CHAT, clock())
    store.set_blocked(CHAT, True, clock())
    assert store.set_blocked(CHAT, False, clock()) is True
    subscriber = store.subscriber(CHAT)
    assert subscriber is not None and not subscriber.blocked
    assert subscriber.next_due is not None


def test_unblocking_does_not_subscribe_someone_who_left(store: Store, clock: FakeClock) -> None:
    store.ensure(CHAT, clock())
    store.set_blocked(CHAT, True, clock())
    store.set_blocked(CHAT, False, clock())
    subscriber = store.subscriber(CHAT)
    assert subscriber is not None and not subscriber.subscribed and subscriber.next_due is None


def test_blocking_an_unknown_chat_creates_nothing(store: Store, clock: FakeClock) -> None:
    assert store.set_blocked(CHAT, True, clock()) is False
    assert store.subscriber(CHAT) is None
