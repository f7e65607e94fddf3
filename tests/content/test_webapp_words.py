"""The Mini App's page words (content/*/webapp.toml): the same keys and placeholders in every
language, plain text only; the loader names the file and key of a problem."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from content import LANGUAGES, ContentError, webapp


def test_every_language_loads_with_the_same_keys() -> None:
    words = webapp.load_all()
    assert set(words) == set(LANGUAGES)
    keys = {language: set(found) for language, found in words.items()}
    assert all(found == keys["en"] for found in keys.values())


def copy(tmp_path: Path) -> Path:
    root = Path(webapp.__file__).parent
    for language in LANGUAGES:
        (tmp_path / language).mkdir()
        shutil.copy(root / language / "webapp.toml", tmp_path / language / "webapp.toml")
    return tmp_path


def append(root: Path, language: str, line: str) -> None:
    with (root / language / "webapp.toml").open("a", encoding="utf-8") as stream:
        stream.write(line + "\n")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        pytest.param('extra = "<b>bold</b>"', "plain text", id="markup"),
        pytest.param('extra = "' + "a" * 400 + '"', "at most", id="too-long"),
        pytest.param('extra = "{0}"', "plain names", id="positional"),
        pytest.param('extra = "{"', "text.extra", id="bad-brace"),
        pytest.param("extra = 3", "expected text", id="not-text"),
    ],
)
def test_bad_words_are_named(tmp_path: Path, line: str, message: str) -> None:
    root = copy(tmp_path)
    append(root, "zh", line)
    with pytest.raises(ContentError, match=message) as raised:
        webapp.load_all(root)
    assert "webapp.toml" in str(raised.value)


def test_a_key_missing_in_one_language(tmp_path: Path) -> None:
    root = copy(tmp_path)
    append(root, "en", 'only_here = "English only"')
    with pytest.raises(ContentError, match=r"zh/webapp.toml: keys differ: missing \['only_here'\]"):
        webapp.load_all(root)


def test_placeholders_must_match(tmp_path: Path) -> None:
    root = copy(tmp_path)
    text = (root / "zh" / "webapp.toml").read_text(encoding="utf-8")
    (root / "zh" / "webapp.toml").write_text(
        text.replace("本步还剩 {time}", "本步还剩 {left}"), encoding="utf-8"
    )
    with pytest.raises(ContentError, match="time_left: placeholders differ"):
        webapp.load_all(root)
