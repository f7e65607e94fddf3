"""Small pure helpers of the handlers: reading what a user typed after a command."""

from __future__ import annotations

import pytest

from storage.rules.schedule import MAX_PAUSE_DAYS, parse_pause_days


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("1", 1, id="one"),
        pytest.param("3", 3, id="three"),
        pytest.param(" 7 ", 7, id="spaces"),
        pytest.param("007", 7, id="leading-zeros"),
        pytest.param("365", MAX_PAUSE_DAYS, id="most"),
    ],
)
def test_pause_days_accepted(value: str, expected: int) -> None:
    assert parse_pause_days(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("0", id="zero"),
        pytest.param("366", id="over-a-year"),
        pytest.param("999", id="999"),
        pytest.param("-1", id="negative"),
        pytest.param("3.5", id="fraction"),
        pytest.param("x", id="word"),
        pytest.param("3 days", id="with-unit"),
        pytest.param("٣", id="non-ascii-digit"),
        pytest.param("", id="empty"),
        pytest.param("9" * 5000, id="more-digits-than-int-reads"),
    ],
)
def test_pause_days_refused(value: str) -> None:
    assert parse_pause_days(value) is None
