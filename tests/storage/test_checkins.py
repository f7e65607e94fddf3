"""Pain check-ins: the rising-trend rule, and storing one score per chat and local day."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from storage import Checkin, Store
from storage.rules.checkins import WeekChange, compare_weeks, rising
from tests.conftest import START, FakeClock

CHAT = 42
OTHER = 7
TODAY = date(2026, 11, 26)


def days_ago(*scores: int) -> list[Checkin]:
    """Check-ins on the days before TODAY, oldest first: the last score is yesterday's."""
    return [
        Checkin(TODAY - timedelta(days=len(scores) - index), score)
        for index, score in enumerate(scores)
    ]


# The rule ------------------------------------------------------------------------------------


def test_two_points_above_the_recent_median_is_rising() -> None:
    assert rising(Checkin(TODAY, 4), days_ago(2, 2, 2))


def test_one_point_above_the_recent_median_is_not_rising() -> None:
    # Under the minimal clinically important difference of about 2 points: noise.
    assert not rising(Checkin(TODAY, 3), days_ago(2, 2, 2))


def test_median_needs_three_earlier_check_ins() -> None:
    assert not rising(Checkin(TODAY, 9), days_ago(5, 2))


def test_median_ignores_check_ins_older_than_fourteen_days() -> None:
    old = [Checkin(TODAY - timedelta(days=15 + n), 1) for n in range(5)]
    assert not rising(Checkin(TODAY, 8), [*old, Checkin(TODAY - timedelta(days=1), 8)])


def test_median_counts_a_check_in_fourteen_days_ago() -> None:
    earlier = [Checkin(TODAY - timedelta(days=14), 2), *days_ago(2, 2)]
    assert rising(Checkin(TODAY, 5), earlier)


def test_median_of_an_even_count_is_the_middle_mean() -> None:
    # Median of 1, 2, 6, 7 is 4: a 5 is only one point above it (and 5 after 7 is no rise).
    assert not rising(Checkin(TODAY, 5), days_ago(1, 2, 6, 7))
    assert rising(Checkin(TODAY, 6), days_ago(1, 2, 6, 7))


def test_three_strictly_rising_check_ins_are_rising() -> None:
    assert rising(Checkin(TODAY, 5), days_ago(2, 3))


def test_a_run_of_one_point_rises_is_noise() -> None:
    assert not rising(Checkin(TODAY, 3), days_ago(1, 2))


def test_a_run_that_rises_two_points_within_fourteen_days_is_rising() -> None:
    earlier = [Checkin(TODAY - timedelta(days=14), 1), Checkin(TODAY - timedelta(days=6), 2)]
    assert rising(Checkin(TODAY, 4), earlier)


def test_a_run_spread_over_more_than_fourteen_days_is_not_rising() -> None:
    earlier = [Checkin(TODAY - timedelta(days=15), 1), Checkin(TODAY - timedelta(days=6), 2)]
    assert not rising(Checkin(TODAY, 4), earlier)


@pytest.mark.parametrize(
    "earlier",
    [
        pytest.param((3, 3), id="flat"),
        pytest.param((2, 4), id="dip-today"),
        pytest.param((3, 2), id="down-then-up"),
        pytest.param((3,), id="only-two"),
        pytest.param((), id="first-ever"),
    ],
)
def test_no_rise_over_three_check_ins_is_not_rising(earlier: tuple[int, ...]) -> None:
    assert not rising(Checkin(TODAY, 4), days_ago(*earlier))


def test_a_run_uses_the_latest_earlier_check_ins_in_any_order() -> None:
    assert rising(Checkin(TODAY, 5), list(reversed(days_ago(9, 9, 9, 2, 3))))


def test_a_steady_trend_is_not_rising() -> None:
    assert not rising(Checkin(TODAY, 3), days_ago(3, 2, 3, 3, 2, 3))


def test_check_ins_on_or_after_today_are_ignored() -> None:
    later = [Checkin(TODAY, 1), Checkin(TODAY + timedelta(days=1), 0)]
    assert not rising(Checkin(TODAY, 5), [*days_ago(5), *later])


# The store -----------------------------------------------------------------------------------


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


# Comparing weeks -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("week", "before", "change"),
    [
        pytest.param((3, 3, 3), (5, 5, 5), WeekChange.LOWER, id="two-lower"),
        pytest.param((6, 6, 6), (4, 4, 4), WeekChange.HIGHER, id="two-higher"),
        pytest.param((4, 4, 4), (5, 5, 5), WeekChange.SAME, id="one-lower-is-the-same"),
        pytest.param((5, 6, 6), (4, 5, 5), WeekChange.SAME, id="one-higher-is-the-same"),
        pytest.param((3, 4, 5, 6), (2, 2, 3), WeekChange.HIGHER, id="even-count-median"),
        pytest.param((1, 1), (5, 5, 5), None, id="two-this-week"),
        pytest.param((5, 5, 5), (1, 1), None, id="two-the-week-before"),
        pytest.param((5,), (), None, id="one-and-none"),
    ],
)
def test_weeks_are_compared_with_three_check_ins_each_and_two_points(
    week: tuple[int, ...], before: tuple[int, ...], change: WeekChange | None
) -> None:
    assert compare_weeks(week, before) is change
