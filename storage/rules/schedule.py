"""Local times and timezones: parsing what users type, and the instant a tip is next due."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

_TIME = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$", re.IGNORECASE)
_OFFSET = re.compile(r"^(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)


def parse_time(value: str) -> time | None:
    """Return the time of day in ``value`` ("07:30", "7.30", "19:05", "7am", "7:30 pm"), or None."""
    match = _TIME.match(value.strip())
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    suffix = (match.group(3) or "").lower().replace(".", "")
    if suffix:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    elif match.group(2) is None:
        return None
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def format_time(value: time) -> str:
    """Return ``value`` as HH:MM."""
    return value.strftime("%H:%M")


#: Names the zone database lists that are not places: the machine's own zone (which can
#: change or vanish under the bot), a placeholder, and the file-layout variants.
_NOT_PLACES = frozenset({"localtime", "factory", "posixrules"})


@lru_cache(maxsize=1)
def _zone_names() -> dict[str, str]:
    return {
        name.lower(): name
        for name in available_timezones()
        if name.lower() not in _NOT_PLACES and not name.startswith(("posix/", "right/"))
    }


def parse_timezone(value: str) -> str | None:
    """Return the canonical name for a timezone a user typed, or None.

    Accepts IANA names in any case ("europe/berlin" -> "Europe/Berlin"), "UTC", and
    UTC offsets ("+08:00", "UTC-5", "GMT+5:30"), which become "UTC+08:00" and so on.
    """
    text = value.strip().replace(" ", "_")
    if text.lower() in ("utc", "gmt", "z", "etc/utc"):
        return "UTC"
    match = _OFFSET.match(text.replace("_", ""))
    if match:
        sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3) or 0)
        if hours > 14 or minutes > 59 or (hours == 14 and minutes):
            return None
        if hours == minutes == 0:
            return "UTC"
        return f"UTC{sign}{hours:02d}:{minutes:02d}"
    return _zone_names().get(text.lower())


class ZoneError(ValueError):
    """A stored timezone name that does not load; the message never repeats the name."""


def resolve(name: str) -> tzinfo:
    """Return the tzinfo for a stored timezone name (an IANA name or "UTC+HH:MM").

    Raises:
        ZoneError: if the name is neither, or names no place ("localtime", "Factory").
    """
    match = re.fullmatch(r"UTC([+-])(\d{2}):(\d{2})", name)
    if match:
        offset = timedelta(hours=int(match.group(2)), minutes=int(match.group(3)))
        return timezone(offset if match.group(1) == "+" else -offset, name)
    # The message never repeats the name: it may be logged, and users once typed it.
    if name.lower() in _NOT_PLACES:
        raise ZoneError("timezone is not a place")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ZoneError("timezone does not load") from None


def loads(name: str) -> bool:
    """Whether a stored timezone name is one ``parse_timezone`` gives and ``resolve`` loads."""
    if parse_timezone(name) != name:
        return False
    try:
        resolve(name)
    except ValueError:
        return False
    return True


def local_date_in(instant: datetime, name: str) -> date:
    """The date at ``instant`` in the zone a row stores; UTC's for a zone that no longer
    loads (the row is set aside when next scheduled; counting it must not fail)."""
    try:
        zone = resolve(name)
    except ZoneError:
        zone = UTC
    return local_date(instant, zone)


def local_date(instant: datetime, zone: tzinfo) -> date:
    """Return the calendar date at ``instant`` in ``zone``."""
    return instant.astimezone(zone).date()


def due_instant(day: date, at: time, zone: tzinfo) -> datetime:
    """Return the UTC instant of local time ``at`` on ``day`` in ``zone``.

    A local time that does not exist that day (clocks spring forward) moves to the first
    minute after the gap; one that happens twice (clocks fall back) is taken the first time.
    """
    wall = datetime.combine(day, at)
    for minute in range(0, 24 * 60):
        candidate = (wall + timedelta(minutes=minute)).replace(tzinfo=zone, fold=0)
        instant = candidate.astimezone(UTC)
        if instant.astimezone(zone).replace(tzinfo=None) == candidate.replace(tzinfo=None):
            return instant
    raise ValueError(f"no valid local time near {wall} in {zone}")  # pragma: no cover


#: Delivery days as a bit mask, Monday = bit 0 (Python's weekday()).
EVERY_DAY = 0b1111111
WEEKDAYS = 0b0011111


#: The longest pause in days (longer: pause until /resume).
MAX_PAUSE_DAYS = 365


def parse_pause_days(value: str) -> int | None:
    """The number of days in a /pause argument or a pause button ("3"), or None unless
    1 to ``MAX_PAUSE_DAYS``."""
    value = value.strip()
    if not value.isascii() or not value.isdigit() or len(value) > len(str(MAX_PAUSE_DAYS)) + 2:
        return None
    days = int(value)
    return days if 1 <= days <= MAX_PAUSE_DAYS else None


def paused_on(resume_on: date | None, day: date) -> bool:
    """Whether a pause that ends before ``resume_on`` (``date.max``: until /resume) holds on
    local date ``day``. The one definition of "paused": ``Subscriber.paused_on``, the
    schedule, /stats and /broadcast all ask it."""
    return resume_on is not None and resume_on > day


def allows(days: int, day: date) -> bool:
    """Whether the weekday mask ``days`` includes ``day``."""
    return bool(days >> day.weekday() & 1)


def next_due(
    at: time,
    zone: tzinfo,
    now: datetime,
    *,
    done_today: bool,
    catch_up: bool = False,
    days: int = EVERY_DAY,
    resume_on: date | None = None,
) -> datetime:
    """Return when the next daily tip is due.

    Args:
        at: the subscriber's local time of day.
        zone: the subscriber's timezone.
        now: the current instant (timezone-aware).
        done_today: today's tip (local date) has already been handled.
        catch_up: allow today's time even if it has passed (after downtime).
        days: the weekdays tips come on, as a mask (see ``EVERY_DAY``); never 0.
        resume_on: the first local date of tips after a pause, if paused.

    Returns:
        The first allowed day's instant, from today on: today only if today's tip is
        still owed and its minute has not passed (or ``catch_up``); always UTC-aware.

    Raises:
        ValueError: if ``days`` allows no day at all.
    """
    if not days & EVERY_DAY:
        raise ValueError("no delivery day chosen")
    today = local_date(now, zone)
    day = today + timedelta(days=1) if done_today else today
    if paused_on(resume_on, day):
        assert resume_on is not None
        day = resume_on
    while True:
        if allows(days, day):
            instant = due_instant(day, at, zone)
            if day != today or catch_up or instant >= now.replace(second=0, microsecond=0):
                return instant
        day += timedelta(days=1)
