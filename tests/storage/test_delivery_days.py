"""Choosing the delivery days (``choose_days``, ``toggle_day``): tips come on one day at
least, and choosing what is set already stores nothing."""

from __future__ import annotations

from storage import Store
from storage.rules.schedule import EVERY_DAY, WEEKDAYS
from tests.conftest import FakeClock
from tests.storage.store_common import CHAT

MONDAY, SUNDAY = 0, 6


def test_a_day_is_taken_away_and_given_back(store: Store, clock: FakeClock) -> None:
    subscriber, changed = store.toggle_day(CHAT, SUNDAY, clock())
    assert changed and subscriber.days == EVERY_DAY & ~(1 << SUNDAY)
    subscriber, changed = store.toggle_day(CHAT, SUNDAY, clock())
    assert changed and subscriber.days == EVERY_DAY


def test_the_last_day_cannot_be_taken_away(store: Store, clock: FakeClock) -> None:
    store.set_days(CHAT, 1 << MONDAY, clock())
    subscriber, changed = store.toggle_day(CHAT, MONDAY, clock())
    assert not changed and subscriber.days == 1 << MONDAY
    stored = store.subscriber(CHAT)
    assert stored is not None and stored.days == 1 << MONDAY


def test_choosing_other_days_stores_them(store: Store, clock: FakeClock) -> None:
    subscriber, changed = store.choose_days(CHAT, WEEKDAYS, clock())
    assert changed and subscriber.days == WEEKDAYS
    stored = store.subscriber(CHAT)
    assert stored is not None and stored.days == WEEKDAYS


def test_choosing_the_days_set_already_stores_nothing(store: Store, clock: FakeClock) -> None:
    subscriber, changed = store.choose_days(CHAT, EVERY_DAY, clock())
    assert not changed and subscriber.days == EVERY_DAY
    assert store.subscriber(CHAT) is None  # not even a row
