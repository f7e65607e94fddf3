"""Parsing times and timezones users type, and working out when a tip is due."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

import pytest

from storage.rules.schedule import (
    due_instant,
    format_time,
    local_date,
    next_due,
    parse_time,
    parse_timezone,
    resolve,
)
from tests.conftest import START

BERLIN = resolve("Europe/Berlin")
TOKYO = resolve("Asia/Tokyo")
NINE = time(9, 0)


# parse_time ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("07:30", time(7, 30), id="hh:mm"),
        pytest.param("7:30", time(7, 30), id="h:mm"),
        pytest.param("7.30", time(7, 30), id="dot"),
        pytest.param("19:05", time(19, 5), id="evening"),
        pytest.param("00:00", time(0, 0), id="midnight"),
        pytest.param("23:59", time(23, 59), id="last-minute"),
        pytest.param(" 07:30 ", time(7, 30), id="surrounding-spaces"),
        pytest.param("7am", time(7, 0), id="7am"),
        pytest.param("7:30 pm", time(19, 30), id="7:30-pm"),
        pytest.param("7:30PM", time(19, 30), id="upper-case-pm"),
        pytest.param("7 a.m.", time(7, 0), id="a.m."),
        pytest.param("12am", time(0, 0), id="12am-is-midnight"),
        pytest.param("12pm", time(12, 0), id="12pm-is-noon"),
    ],
)
def test_parse_time_accepts(value: str, expected: time) -> None:
    assert parse_time(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("25:00", id="hour-25"),
        pytest.param("24:00", id="hour-24"),
        pytest.param("7:60", id="minute-60"),
        pytest.param("abc", id="words"),
        pytest.param("", id="empty"),
        pytest.param("13pm", id="13pm"),
        pytest.param("0am", id="0am"),
        pytest.param("7", id="bare-hour"),
        pytest.param("7:5", id="one-digit-minute"),
        pytest.param("07:30:00", id="seconds"),
    ],
)
def test_parse_time_refuses(value: str) -> None:
    assert parse_time(value) is None


def test_format_time_pads_to_hh_mm() -> None:
    assert format_time(time(7, 5)) == "07:05"


# parse_timezone --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("Europe/Berlin", "Europe/Berlin", id="iana"),
        pytest.param("europe/berlin", "Europe/Berlin", id="iana-lower-case"),
        pytest.param(" Europe/Berlin ", "Europe/Berlin", id="surrounding-spaces"),
        pytest.param("america/new york", "America/New_York", id="space-for-underscore"),
        pytest.param("UTC", "UTC", id="UTC"),
        pytest.param("utc", "UTC", id="utc"),
        pytest.param("GMT", "UTC", id="GMT"),
        pytest.param("+08:00", "UTC+08:00", id="plus-offset"),
        pytest.param("UTC-5", "UTC-05:00", id="utc-hours"),
        pytest.param("GMT+5:30", "UTC+05:30", id="gmt-half-hour"),
        pytest.param("+0530", "UTC+05:30", id="no-colon"),
        pytest.param("UTC+14", "UTC+14:00", id="largest-offset"),
        pytest.param("+00:00", "UTC", id="zero-offset"),
        pytest.param("-00:00", "UTC", id="negative-zero-offset"),
    ],
)
def test_parse_timezone_accepts(value: str, expected: str) -> None:
    assert parse_timezone(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("Mars/Base", id="unknown-name"),
        pytest.param("+15:00", id="offset-too-large"),
        pytest.param("UTC+14:30", id="past-14-hours"),
        pytest.param("+05:60", id="minute-60"),
        pytest.param("", id="empty"),
        pytest.param("<b>", id="markup"),
        pytest.param("0", id="bare-number"),
        # Listed by the zone database, but not places: the machine's own zone, which can
        # change or vanish under the bot, and a placeholder.
        pytest.param("localtime", id="the-machines-own"),
        pytest.param("Factory", id="placeholder"),
        pytest.param("posixrules", id="posixrules"),
    ],
)
def test_parse_timezone_refuses(value: str) -> None:
    assert parse_timezone(value) is None


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("europe/berlin", id="iana"),
        pytest.param("+08:00", id="positive-offset"),
        pytest.param("UTC-5", id="negative-offset"),
        pytest.param("GMT+5:30", id="half-hour"),
        pytest.param("+00:00", id="zero"),
    ],
)
def test_every_parsed_timezone_resolves(value: str) -> None:
    name = parse_timezone(value)
    assert name is not None
    assert isinstance(resolve(name), tzinfo)


# resolve ---------------------------------------------------------------------------------------


def test_resolve_offset_name_gives_that_offset() -> None:
    assert resolve("UTC+05:30").utcoffset(START) == timedelta(hours=5.5)


def test_resolve_negative_offset_name() -> None:
    assert resolve("UTC-05:00").utcoffset(START) == timedelta(hours=-5)


def test_resolve_iana_name_follows_daylight_saving() -> None:
    summer = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    assert summer.astimezone(BERLIN).utcoffset() == timedelta(hours=2)


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("nonsense", id="word"),
        pytest.param("Mars/Base", id="unknown-area"),
        pytest.param("UTC+5", id="offset-not-canonical"),
        pytest.param("", id="empty"),
        pytest.param("../etc/passwd", id="path"),
    ],
)
def test_resolve_unknown_name_raises_value_error(name: str) -> None:
    with pytest.raises(ValueError):
        resolve(name)


# local_date and due_instant --------------------------------------------------------------------


def test_local_date_is_the_date_in_the_zone() -> None:
    late_evening_utc = datetime(2026, 11, 26, 23, 30, tzinfo=UTC)
    assert local_date(late_evening_utc, TOKYO) == date(2026, 11, 27)


def test_due_instant_on_an_ordinary_day() -> None:
    assert due_instant(date(2026, 11, 26), NINE, BERLIN) == datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def test_due_instant_in_spring_forward_gap_moves_to_end_of_gap() -> None:
    # 02:30 does not exist in Berlin that night: clocks go from 02:00 to 03:00 (01:00 UTC).
    due = due_instant(date(2026, 3, 29), time(2, 30), BERLIN)
    assert due == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert due.astimezone(BERLIN).time() == time(3, 0)


def test_due_instant_in_fall_back_repeat_takes_first_occurrence() -> None:
    # 02:30 happens twice in Berlin that night: first at UTC+2 (00:30 UTC), then at UTC+1.
    due = due_instant(date(2026, 10, 25), time(2, 30), BERLIN)
    assert due == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_due_instant_is_utc() -> None:
    assert due_instant(date(2026, 11, 26), NINE, TOKYO).utcoffset() == timedelta(0)


# next_due --------------------------------------------------------------------------------------


def test_next_due_today_when_time_still_ahead() -> None:
    assert next_due(NINE, UTC, START, done_today=False) == START.replace(hour=9)


def test_next_due_same_minute_counts_as_ahead() -> None:
    now = START.replace(hour=9, second=45, microsecond=123)
    assert next_due(NINE, UTC, now, done_today=False) == START.replace(hour=9)


def test_next_due_tomorrow_when_time_passed() -> None:
    now = START.replace(hour=9, minute=1)
    assert next_due(NINE, UTC, now, done_today=False) == START.replace(hour=9) + timedelta(days=1)


def test_next_due_tomorrow_when_done_today() -> None:
    assert next_due(NINE, UTC, START, done_today=True) == START.replace(hour=9) + timedelta(days=1)


def test_next_due_catch_up_gives_today_in_the_past() -> None:
    now = START.replace(hour=10)
    assert next_due(NINE, UTC, now, done_today=False, catch_up=True) == START.replace(hour=9)


def test_next_due_catch_up_does_not_repeat_a_done_day() -> None:
    now = START.replace(hour=10)
    due = next_due(NINE, UTC, now, done_today=True, catch_up=True)
    assert due == START.replace(hour=9) + timedelta(days=1)


def test_next_due_uses_the_local_time_of_the_zone() -> None:
    # START is 07:00 in Berlin, so 09:00 Berlin is still ahead: 08:00 UTC.
    assert next_due(NINE, BERLIN, START, done_today=False) == START.replace(hour=8)


def test_next_due_uses_the_local_date_of_the_zone() -> None:
    # 23:30 UTC on the 26th is 08:30 on the 27th in Tokyo: 09:00 that day is 00:00 UTC.
    now = datetime(2026, 11, 26, 23, 30, tzinfo=UTC)
    assert next_due(NINE, TOKYO, now, done_today=False) == datetime(2026, 11, 27, 0, 0, tzinfo=UTC)


def test_next_due_across_spring_forward_keeps_local_time() -> None:
    saturday_evening = datetime(2026, 3, 28, 20, 0, tzinfo=UTC)
    due = next_due(NINE, BERLIN, saturday_evening, done_today=True)
    assert due == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)
