"""The check-in rules: the rising trend, and weeks compared in the weekly look back."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from storage.rules.checkins import Checkin, WeekChange, compare_weeks, rising

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
