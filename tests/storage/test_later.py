""" "Later" in storage: which days' tips can be put off, and the evening hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from storage import Store
from tests.conftest import START, FakeClock

CHAT = 42
TODAY = START.date()


@pytest.mark.parametrize(
    ("day", "now", "offered"),
    [
        pytest.param(TODAY, START, ["hour", "evening"], id="today"),
        pytest.param(TODAY, START.replace(hour=21), ["hour"], id="today-after-the-evening"),
        pytest.param(
            TODAY - timedelta(days=1),
            START.replace(hour=0, minute=59),
            ["hour"],
            id="yesterday-00:59",
        ),
        pytest.param(TODAY - timedelta(days=1), START.replace(hour=1), [], id="yesterday-01:00"),
        pytest.param(TODAY - timedelta(days=4), START, [], id="four-days-ago"),
        pytest.param(TODAY + timedelta(days=1), START, [], id="tomorrow"),
    ],
)
def test_only_todays_tip_can_be_put_off(
    store: Store, clock: FakeClock, day: date, now: datetime, offered: list[str]
) -> None:
    subscriber, _ = store.subscribe(CHAT, clock())
    assert list(subscriber.later_options(day, now)) == offered


def test_the_first_hour_after_midnight_is_local(store: Store, clock: FakeClock) -> None:
    subscriber = store.set_timezone(CHAT, "Asia/Tokyo", clock())
    # 2026-11-27 00:30 in Tokyo is 2026-11-26 15:30 UTC.
    now = datetime(2026, 11, 26, 15, 30, tzinfo=UTC)
    assert list(subscriber.later_options(TODAY, now)) == ["hour"]
    assert subscriber.later_options(TODAY, now + timedelta(minutes=31)) == {}


@pytest.mark.parametrize("at", [time(16, 59), time(23, 31), time(0, 0), time(9, 0)])
def test_set_evening_refuses_a_time_outside_the_evening(
    store: Store, clock: FakeClock, at: time
) -> None:
    with pytest.raises(ValueError):
        store.set_evening(CHAT, at, clock())


def test_an_evening_time_stored_outside_the_evening_means_the_default(
    store: Store, clock: FakeClock
) -> None:
    store.ensure(CHAT, clock())
    store.db.execute("UPDATE subscribers SET evening_time = '09:00' WHERE chat_id = ?", [CHAT])
    subscriber = store.subscriber(CHAT)
    assert subscriber is not None and subscriber.evening == time(20, 0)
