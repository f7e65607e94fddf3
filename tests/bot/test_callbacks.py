"""Button data: every parser reads back what its builder wrote, and refuses what it did not."""

from __future__ import annotations

import re
from datetime import time

import pytest

from bot import callbacks


@pytest.mark.parametrize("at", [time(6, 0), time(7, 30), time(22, 0)], ids=str)
def test_time_choice_reads_back(at: time) -> None:
    data = callbacks.time_choice(at)
    assert re.match(callbacks.SETTINGS_PATTERN, data)
    assert callbacks.parse_time_choice(data) == at


@pytest.mark.parametrize("data", ["set:time:2460", "set:time:0", "set:time:99999"])
def test_a_time_that_is_not_one_reads_as_none(data: str) -> None:
    assert callbacks.parse_time_choice(data) is None


@pytest.mark.parametrize("name", ["UTC", "Asia/Shanghai", "America/New_York"])
def test_timezone_choice_reads_back(name: str) -> None:
    assert callbacks.parse_timezone_choice(callbacks.timezone_choice(name)) == name


@pytest.mark.parametrize("weekday", range(7))
def test_day_toggle_reads_back(weekday: int) -> None:
    data = callbacks.day_toggle(weekday)
    assert re.match(callbacks.DAYS_PATTERN, data)
    assert callbacks.parse_day_toggle(data) == weekday


@pytest.mark.parametrize("days", [None, 1, 3, 7, 365], ids=str)
def test_pause_choice_reads_back(days: int | None) -> None:
    data = callbacks.pause_choice(days)
    assert re.match(callbacks.PAUSE_PATTERN, data)
    assert callbacks.parse_pause_choice(data) == (True, days)


@pytest.mark.parametrize("data", ["set:pause:0", "set:pause:366", "set:pause:999"])
def test_a_pause_out_of_range_is_refused(data: str) -> None:
    assert re.match(callbacks.PAUSE_PATTERN, data)  # the pattern lets it through ...
    assert callbacks.parse_pause_choice(data) == (False, None)  # ... the parser does not


@pytest.mark.parametrize("score", range(11))
def test_checkin_reads_back(score: int) -> None:
    assert callbacks.parse_checkin(callbacks.checkin(score)) == score


@pytest.mark.parametrize("data", ["checkin:11", "checkin:-1", "checkin:٣", "checkin:"])
def test_a_forged_score_reads_as_none(data: str) -> None:
    assert callbacks.parse_checkin(data) is None


@pytest.mark.parametrize("helpful", [True, False])
def test_feedback_reads_back(helpful: bool) -> None:
    data = callbacks.feedback(helpful, "stay_active")
    assert re.match(callbacks.FEEDBACK_PATTERN, data)
    assert callbacks.parse_feedback(data) == (helpful, "stay_active")


def test_broadcast_confirm_reads_back() -> None:
    data = callbacks.broadcast_confirm(-1001234567890, 42)
    assert re.match(callbacks.BROADCAST_PATTERN, data)
    assert callbacks.parse_broadcast_confirm(data) == (-1001234567890, 42)


def test_language_and_technique_read_back() -> None:
    assert callbacks.parse_language(callbacks.language("zh")) == "zh"
    assert callbacks.parse_technique(callbacks.technique("kneading")) == "kneading"


def test_broadcast_stop_reads_back() -> None:
    data = callbacks.broadcast_stop(12)
    assert re.match(callbacks.BROADCAST_PATTERN, data)
    assert callbacks.parse_broadcast_stop(data) == 12
