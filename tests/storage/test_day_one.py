"""When day 1 comes to a chat that has just subscribed (``Subscriber.day_one``): what
/subscribe and both subscribe buttons follow."""

from __future__ import annotations

from datetime import timedelta

from storage import DayOne, Store
from storage.rules.schedule import WEEKDAYS
from tests.conftest import FakeClock
from tests.storage.store_common import CHAT, NINE


def test_before_todays_tip_time_day_one_comes_at_it(store: Store, clock: FakeClock) -> None:
    subscriber, _ = store.subscribe(CHAT, clock())  # 06:00, the tip at 09:00
    assert subscriber.day_one(clock()) is DayOne.LATER


def test_after_todays_tip_time_day_one_comes_at_once(store: Store, clock: FakeClock) -> None:
    clock.set(NINE + timedelta(minutes=1))
    subscriber, _ = store.subscribe(CHAT, clock())
    assert subscriber.day_one(clock()) is DayOne.NOW


def test_a_day_without_tips_gives_day_one_at_once(store: Store, clock: FakeClock) -> None:
    clock.advance(days=2)  # a Saturday
    store.set_days(CHAT, WEEKDAYS, clock())
    subscriber, _ = store.subscribe(CHAT, clock())
    assert subscriber.day_one(clock()) is DayOne.NOW


def test_a_chat_that_had_tips_gets_no_day_one(store: Store, clock: FakeClock) -> None:
    store.subscribe(CHAT, clock())
    store.take_tip(CHAT, clock())
    store.unsubscribe(CHAT, clock())
    clock.set(NINE + timedelta(hours=1))
    subscriber, _ = store.subscribe(CHAT, clock())
    assert subscriber.day_one(clock()) is None


def test_once_day_one_is_taken_it_is_not_owed_again(store: Store, clock: FakeClock) -> None:
    clock.set(NINE + timedelta(hours=1))
    store.subscribe(CHAT, clock())
    store.take_first_tip(CHAT, clock())
    subscriber = store.subscriber(CHAT)
    assert subscriber is not None and subscriber.day_one(clock()) is None
