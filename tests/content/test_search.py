"""Finding techniques by what a user typed: any case, close spellings, aliases, a name in
another language, and inline mode's matches in the language they were named in."""

from __future__ import annotations

import pytest

from content import Content, load_all
from content.search import find_technique, inline_matches


@pytest.mark.parametrize(
    ("query", "technique_id"),
    [
        pytest.param("kneading", "kneading", id="id"),
        pytest.param("KNEADING", "kneading", id="upper-case"),
        pytest.param("Kneading ", "kneading", id="trailing-space"),
        pytest.param("knaeding", "kneading", id="misspelt"),
        pytest.param("press", "pressing", id="alias"),
        pytest.param("acupressure", "pressing", id="alias-word"),
        pytest.param("Tui  Fa", "pushing", id="alias-spaces-and-case"),
        pytest.param("揉法", "kneading", id="alias-chinese"),
        pytest.param("grab", "grasping", id="alias-grab"),
    ],
)
def test_find_technique_matches(content: Content, query: str, technique_id: str) -> None:
    technique = find_technique(content, query)
    assert technique is not None
    assert technique.id == technique_id


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("boxing", id="unrelated"),
        pytest.param("", id="empty"),
        pytest.param("   ", id="blank"),
    ],
)
def test_find_technique_returns_none(content: Content, query: str) -> None:
    assert find_technique(content, query) is None


@pytest.mark.parametrize(
    ("language", "query", "technique_id"),
    [
        pytest.param("en", "按压", "pressing", id="en-chinese-alias"),
        pytest.param("en", "推", "pushing", id="en-chinese-one-character"),
        pytest.param("zh", "Grasping", "grasping", id="zh-english-name"),
        pytest.param("zh", "kneeding", "kneading", id="zh-english-misspelt"),
    ],
)
def test_find_technique_in_any_language_answers_in_its_own(
    language: str, query: str, technique_id: str
) -> None:
    contents = load_all()
    own = contents[language]
    technique = find_technique(own, query, contents.values())
    assert technique is not None
    assert technique is own.technique(technique_id)


@pytest.mark.parametrize(
    ("query", "chosen", "expected"),
    [
        pytest.param("揉", False, [("zh", "kneading")], id="named-in-chinese-from-english"),
        pytest.param("揉", True, [("en", "kneading")], id="chosen-language-kept"),
        pytest.param("knead", False, [("en", "kneading")], id="own-language-first"),
    ],
)
def test_inline_matches_answer_in_the_language_named(
    query: str, chosen: bool, expected: list[tuple[str, str]]
) -> None:
    matches = inline_matches(load_all(), query, "en", chosen=chosen)
    assert [(content.language, technique.id) for content, technique in matches] == expected


def test_inline_matches_offer_every_technique_when_nothing_is_named() -> None:
    contents = load_all()
    for query in ("", "boxing"):
        matches = inline_matches(contents, query, "zh")
        assert [t.id for _, t in matches] == [t.id for t in contents["zh"].techniques]
        assert {c.language for c, _ in matches} == {"zh"}
