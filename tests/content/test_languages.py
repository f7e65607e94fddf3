"""Every language says the same things: key and placeholder parity built from the files, the
cross-checks of load_all, and the Chinese safety wording."""

from __future__ import annotations

import re
import shutil
import string
import tomllib
from pathlib import Path
from typing import Any

import pytest

from content import LANGUAGES, ContentError, load, load_all
from content.loader import COMMANDS
from content.markup import plain

CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"
FILES = sorted(path.name for path in (CONTENT_DIR / "en").glob("*.toml"))
OTHERS = [language for language in LANGUAGES if language != "en"]


def read(language: str, name: str) -> dict[str, Any]:
    with (CONTENT_DIR / language / name).open("rb") as stream:
        return tomllib.load(stream)


def shape(value: Any, where: str = "") -> dict[str, Any]:
    """Every key path of a TOML document, with the placeholders of each string value."""
    found: dict[str, Any] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            found.update(shape(item, f"{where}.{key}" if where else key))
    elif isinstance(value, list):
        found[where] = len(value)
    elif isinstance(value, str):
        found[where] = sorted(
            name for _, name, _, _ in string.Formatter().parse(value) if name is not None
        )
    else:
        found[where] = value
    return found


def test_every_language_has_every_file() -> None:
    for language in LANGUAGES:
        assert sorted(p.name for p in (CONTENT_DIR / language).glob("*.toml")) == FILES


@pytest.mark.parametrize("language", OTHERS)
@pytest.mark.parametrize("name", FILES)
def test_same_keys_and_placeholders_as_english(language: str, name: str) -> None:
    english, other = shape(read("en", name)), shape(read(language, name))
    assert sorted(other.keys() - english.keys()) == [], "extra keys"
    assert sorted(english.keys() - other.keys()) == [], "missing keys"
    # Aliases and the words for warning signs are free per language; everything else has the
    # same placeholders, list lengths (technique steps) and values for non-text fields
    # (program_days, technique ids).
    differing = {
        key: (english[key], other[key])
        for key in english
        if english[key] != other[key]
        and not key.endswith(".aliases")
        and not key.startswith("warning_words.")
    }
    assert differing == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_command_has_a_description(language: str) -> None:
    content = load(language)
    assert list(content.commands) == list(COMMANDS)
    assert all(content.commands[name].strip() for name in COMMANDS)


def test_load_all_loads_every_language() -> None:
    contents = load_all()
    assert list(contents) == list(LANGUAGES)
    assert {content.language for content in contents.values()} == set(LANGUAGES)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A copy of the content folder to break."""
    shutil.copytree(CONTENT_DIR, tmp_path / "content", ignore=shutil.ignore_patterns("*.png"))
    return tmp_path / "content"


def test_tips_in_another_order_are_refused_by_name(root: Path) -> None:
    path = root / "zh" / "tips.toml"
    text = path.read_text()
    first, second = re.findall(r"(?ms)^\[tips\.[a-z_]+\].*?(?=^\[tips\.|\Z)", text)[:2]
    path.write_text(text.replace(first + second, second + first, 1))
    with pytest.raises(ContentError, match=r"zh/tips.toml: tip ids and order differ"):
        load_all(root)


def test_a_different_program_length_is_refused(root: Path) -> None:
    path = root / "zh" / "tips.toml"
    path.write_text(path.read_text().replace("program_days = 30", "program_days = 29", 1))
    with pytest.raises(ContentError, match="program_days"):
        load_all(root)


# Chinese safety wording ------------------------------------------------------------------------

#: A sentence that mentions putting the disc back (复位, 推回) must say it cannot.
BACK_INTO_PLACE_ZH = re.compile(r"复位|推回|归位")
NEGATION_ZH = re.compile(r"不能|无法|不会|没有|不可能|并不")
PROMISE_ZH = re.compile(r"治愈|根治|痊愈|彻底治好|修复椎间盘")


def strings(value: Any, where: str) -> list[tuple[str, str]]:
    """Every string in a TOML value, as (where, text)."""
    if isinstance(value, str):
        return [(where, value)]
    if isinstance(value, dict):
        return [found for key, item in value.items() for found in strings(item, f"{where}.{key}")]
    if isinstance(value, list):
        return [
            found
            for index, item in enumerate(value)
            for found in strings(item, f"{where}[{index}]")
        ]
    return []


def chinese_strings() -> list[tuple[str, str]]:
    return [found for name in FILES for found in strings(read("zh", name), name)]


def test_chinese_never_promises_a_cure() -> None:
    assert [
        (where, m.group(0)) for where, text in chinese_strings() if (m := PROMISE_ZH.search(text))
    ] == []


def test_chinese_only_says_the_disc_cannot_be_put_back() -> None:
    unnegated = [
        (where, sentence)
        for where, text in chinese_strings()
        for sentence in re.split(r"[。！？\n]", plain(text))
        if BACK_INTO_PLACE_ZH.search(sentence) and not NEGATION_ZH.search(sentence)
    ]
    assert unnegated == []


@pytest.mark.parametrize("technique", load("zh").techniques, ids=lambda t: t.id)
def test_every_chinese_card_stop_rule_names_the_leg_and_numbness(technique: Any) -> None:
    assert "腿" in technique.stop and "麻木" in technique.stop


@pytest.mark.parametrize(
    ("technique_id", "term"),
    [("kneading", "揉法"), ("pressing", "按法"), ("pushing", "推法"), ("grasping", "拿法")],
)
def test_chinese_techniques_use_the_standard_terms(technique_id: str, term: str) -> None:
    technique = load("zh").technique(technique_id)
    assert technique is not None and term in technique.name


#: The last line of every tip: one concrete thing to do today, in italics.
TODAY = {"en": re.compile(r"^<i>Today: .+</i>$"), "zh": re.compile(r"^<i>今天：.+</i>$")}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_tip_ends_with_one_thing_to_do_today(language: str) -> None:
    endings = {tip.id: tip.text.splitlines()[-1] for tip in load(language).tips}
    assert [tip_id for tip_id, last in endings.items() if not TODAY[language].match(last)] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_program_starts_with_safety_and_ends_with_review(language: str) -> None:
    """The order the issue asks for, found by id: safety first, then the techniques one at a
    time, then everyday care, then review days, all within the 30 days."""
    content = load(language)
    program = [tip.id for tip in content.tips[: content.program_days]]
    assert {"red_flags_emergency", "massage_cannot_move_disc"} <= set(program[:7])
    techniques = [tip.technique for tip in content.tips[: content.program_days] if tip.technique]
    firsts = list(dict.fromkeys(techniques))
    assert firsts == [t.id for t in content.techniques]  # one technique at a time, in order
    assert all(tip_id.startswith("review_") for tip_id in program[-4:])
