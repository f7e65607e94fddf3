"""A shared location's timezone, found offline (timezonefinder and its own data).

The coordinates are used for this one lookup and dropped: nothing stores or logs them.
The finder loads its data on first use (a fraction of a second); callers run it off the
event loop.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from storage import schedule


@cache
def _finder() -> Any:
    from timezonefinder import TimezoneFinder  # numpy and the zone data: only when needed

    return TimezoneFinder()


def zone_at(latitude: float, longitude: float) -> str | None:
    """The IANA timezone at a place, as the bot stores it, or None if there is none (or
    the coordinates are not on Earth)."""
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    name = _finder().timezone_at(lng=longitude, lat=latitude)
    return schedule.parse_timezone(name) if name else None
