"""Pain check-ins in the database: one score per chat and local day, and the rising trend
reported as they are stored (the rule itself: tests/storage/rules/test_checkins.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from storage import Checkin, Store
from tests.conftest import START, FakeClock

CHAT = 42
OTHER = 7


def test_check_in_stores_the_score_for_the_local_date(store: Store) -> None:
    store.check_in(CHAT, 4, START)
    assert store.checkins(CHAT) == [Checkin(START.date(), 4)]


def test_a_second_check_in_the_same_day_replaces_the_score(store: Store) -> None:
    store.check_in(CHAT, 4, START)
    store.check_in(CHAT, 6, START + timedelta(hours=3))
    assert store.checkins(CHAT) == [Checkin(START.date(), 6)]


def test_check_in_uses_the_chats_timezone(store: Store) -> None:
    store.set_timezone(CHAT, "Asia/Tokyo", START)
    # 20:00 UTC is already the next morning in Tokyo.
    store.check_in(CHAT, 3, START.replace(hour=20))
    assert store.checkins(CHAT) == [Checkin(START.date() + timedelta(days=1), 3)]


def test_check_in_of_another_chat_is_kept_apart(store: Store) -> None:
    store.check_in(CHAT, 4, START)
    store.check_in(OTHER, 8, START)
    assert store.checkins(CHAT) == [Checkin(START.date(), 4)]


@pytest.mark.parametrize("score", [-1, 11])
def test_check_in_refuses_a_score_out_of_range(store: Store, score: int) -> None:
    with pytest.raises(ValueError):
        store.check_in(CHAT, score, START)
    assert store.checkins(CHAT) == []


def test_check_in_reports_a_rising_trend(store: Store, clock: FakeClock) -> None:
    results = []
    for score in (2, 3, 5):
        results.append(store.check_in(CHAT, score, clock()))
        clock.advance(days=1)
    assert results == [False, False, True]


def test_check_in_compares_a_replaced_score_with_earlier_days_only(
    store: Store, clock: FakeClock
) -> None:
    store.check_in(CHAT, 2, clock())
    clock.advance(days=1)
    store.check_in(CHAT, 3, clock())
    # Replacing today's 3 with a 1 must not count the 3 as an earlier check-in.
    assert not store.check_in(CHAT, 1, clock())


def test_check_in_creates_no_settings(store: Store) -> None:
    store.check_in(CHAT, 4, START)
    assert store.subscriber(CHAT) is None
