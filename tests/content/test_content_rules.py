"""Editorial rules for what the bot says: honest limits, stop signs and emergencies.

The texts are read straight from content/en/*.toml, so every string in the files is checked,
aliases and button labels included.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import content as content_package
from content import Content, load
from content.markup import plain

EN_DIR = Path(content_package.__file__).parent / "en"

#: Promises massage cannot keep: curing, healing, repairing or realigning the back.
PROMISE = re.compile(
    r"\b(?:cure[sd]?|curing|heal(?:s|ed|ing)?|repair(?:s|ed|ing)?|realign(?:s|ed|ing|ment)?"
    r"|fix(?:es|ed|ing)?\s+(?:the|your|a)\s+(?:herniated\s+)?(?:disc|back|spine|herniation))\b",
    re.IGNORECASE,
)
#: Talk of moving the disc back: only ever allowed in a negated sentence.
BACK_INTO_PLACE = re.compile(
    r"\bback\s+into\s+place\b"
    r"|\bpush(?:es|ed|ing)?\s+(?:\S+\s+){0,4}?(?<!lower )(?<!upper )back\b",
    re.IGNORECASE,
)
NEGATION = re.compile(r"\b(?:cannot|can't|can’t|not|no|never)\b", re.IGNORECASE)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")

TECHNIQUE_IDS = [technique.id for technique in load().techniques]


def _walk(value: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{where}[{index}]")


def content_strings() -> list[tuple[str, str]]:
    """Every string value in every TOML file of the language, as (file:key, text)."""
    strings: list[tuple[str, str]] = []
    for path in sorted([*EN_DIR.glob("*.toml"), *EN_DIR.glob("library/*.toml")]):
        with path.open("rb") as stream:
            name = path.name if path.parent == EN_DIR else f"library/{path.name}"
            strings.extend(_walk(tomllib.load(stream), name))
    return strings


def sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_END.split(plain(text)) if s.strip()]


def unnegated_back_into_place(text: str) -> list[str]:
    return [s for s in sentences(text) if BACK_INTO_PLACE.search(s) and not NEGATION.search(s)]


def negated_back_into_place(text: str) -> list[str]:
    return [s for s in sentences(text) if BACK_INTO_PLACE.search(s) and NEGATION.search(s)]


# The detectors themselves --------------------------------------------------------------------


def test_every_content_file_is_scanned() -> None:
    files = {where.split(".toml", 1)[0] for where, _ in content_strings()}
    assert {"messages", "pages", "techniques", "tips", "pictures", "sources"} <= files
    assert "library/sleep" in files


@pytest.mark.parametrize(
    "sentence",
    [
        pytest.param("Massage will cure your back pain.", id="cure"),
        pytest.param("Kneading heals the disc.", id="heals"),
        pytest.param("Pressing helps repair the damage.", id="repair"),
        pytest.param("Pushing realigns the spine.", id="realigns"),
        pytest.param("These strokes fix your disc for good.", id="fix-your-disc"),
    ],
)
def test_promise_detector_catches_promises(sentence: str) -> None:
    assert PROMISE.search(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        pytest.param("Massage can push the disc back into place.", id="back-into-place"),
        pytest.param("A firm thumb pushes a bulging disc back.", id="pushes-back"),
    ],
)
def test_back_into_place_detector_wants_a_negation(sentence: str) -> None:
    assert unnegated_back_into_place(sentence) == [sentence]


def test_back_into_place_detector_ignores_the_lower_back() -> None:
    assert unnegated_back_into_place("Pushing strokes run along the lower back.") == []


# The rules -------------------------------------------------------------------------------------


def test_nothing_promises_to_fix_or_cure() -> None:
    promises = [
        (where, m.group(0)) for where, text in content_strings() if (m := PROMISE.search(text))
    ]
    assert promises == []


def test_moving_the_disc_back_is_only_ever_denied() -> None:
    claims = [
        (where, sentence)
        for where, text in content_strings()
        for sentence in unnegated_back_into_place(text)
    ]
    assert claims == []


@pytest.mark.parametrize("technique_id", TECHNIQUE_IDS)
def test_technique_stop_mentions_the_leg(content: Content, technique_id: str) -> None:
    technique = content.technique(technique_id)
    assert technique is not None
    assert re.search(r"\blegs?\b", technique.stop, re.IGNORECASE)


@pytest.mark.parametrize("technique_id", TECHNIQUE_IDS)
def test_technique_stop_mentions_numbness(content: Content, technique_id: str) -> None:
    technique = content.technique(technique_id)
    assert technique is not None
    assert re.search(r"\bnumbness\b", technique.stop, re.IGNORECASE)


def test_benefits_page_says_massage_cannot_push_the_disc_back(content: Content) -> None:
    denials = [
        sentence
        for sentence in negated_back_into_place(content.pages["benefits"])
        if re.search(r"\bdisc\b", sentence, re.IGNORECASE)
    ]
    assert denials


def test_safety_page_mentions_emergency(content: Content) -> None:
    assert re.search(r"\bemergency\b", plain(content.pages["safety"]), re.IGNORECASE)


def test_safety_page_mentions_both_legs(content: Content) -> None:
    assert re.search(r"\bboth legs\b", plain(content.pages["safety"]), re.IGNORECASE)


# Technique tips: found by their field (the stop rule and framing: content/rules.py) ---------


def technique_tips() -> list[Any]:
    """Tips that teach a technique: those that name one in their ``technique`` field."""
    return [tip for tip in load().tips if tip.technique is not None]


def test_there_are_technique_tips_for_every_technique() -> None:
    assert {tip.technique for tip in technique_tips()} == set(TECHNIQUE_IDS)


@pytest.mark.parametrize("tip", load().tips, ids=lambda tip: tip.id)
def test_a_tip_named_after_a_technique_is_marked_as_one(tip: Any) -> None:
    """Held-back tips are found by the field: a technique tip without it would slip through."""
    words = set(tip.id.split("_"))
    named = words & (set(TECHNIQUE_IDS) | {"technique"})
    assert tip.technique is not None or not named, f"{tip.id}: set technique = ..."


# What travels with a shared card ----------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "signs"),
    [
        # The cauda equina signs of safety-facts.md's emergency group, and where to go.
        ("en", [r"\bemergency\b", r"\bpee", r"\bbowels?\b", r"\bboth legs\b", r"\bnumbness\b"]),
        ("zh", ["急诊", "小便", "排便", "双腿", "麻木"]),
    ],
)
def test_a_shared_card_carries_the_emergency_signs(language: str, signs: list[str]) -> None:
    line = plain(load(language).message("share_urgent"))
    for sign in signs:
        assert re.search(sign, line, re.IGNORECASE), sign


@pytest.mark.parametrize("language", ["en", "zh"])
def test_what_is_shared_and_the_profile_say_information_not_diagnosis(language: str) -> None:
    words = {"en": "not a diagnosis", "zh": "不做诊断"}[language]
    content = load(language)
    for text in (
        content.message("share_link", link="x"),
        content.message("share_urgent_link", link="x"),
        *content.profile.values(),
    ):
        assert words in text


# The guided session's timings keep to each card's dose ------------------------------------


def test_every_session_keeps_to_its_cards_dose_and_the_10_minute_cap() -> None:
    """content/sessions.toml against the cards (safety-facts "One safety state": about 10
    minutes in all, cards and sessions alike; kneading about 3 minutes)."""
    for language in ("en", "zh"):
        techniques = {t.id: t for t in load(language).techniques}
        kneading, pressing = techniques["kneading"], techniques["pressing"]
        pushing, grasping = techniques["pushing"], techniques["grasping"]
        # Kneading: about 3 minutes.
        assert 150 <= kneading.session_seconds <= 210
        # Pressing: 30 seconds on each of four points, in the step that presses them.
        assert pressing.timings[3] == 4 * 30
        # Pushing: 10 strokes of about 10 seconds, in the two stroking steps.
        assert pushing.timings[2] + pushing.timings[3] == 10 * 10
        # Grasping: about 2 minutes.
        assert 90 <= grasping.session_seconds <= 150
        # All four together: the cap of a whole session.
        assert sum(t.session_seconds for t in techniques.values()) <= 600
        for technique in techniques.values():
            assert len(technique.timings) == len(technique.steps)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_pressings_reminders_come_before_it_presses(language: str) -> None:
    """The spine, GB30 and BL40 are named before the step that holds each point."""
    pressing = load(language).technique("pressing")
    assert pressing is not None
    steps = [plain(step) for step in pressing.steps]
    press = next(n for n, step in enumerate(steps) if re.search(r"\b30 (?:seconds|秒)", step))
    warned = [n for n, step in enumerate(steps) if "BL40" in step and "GB30" in step]
    assert warned and warned[0] < press


# A bad day's plan (/flare) -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "must_say"),
    [
        (
            "en",
            [
                r"No massage today",
                r"walks",  # staying active, not bed rest (NICE NG59, ACP 2017)
                r"never on skin that feels numb",  # heat safety
                r"never while you sleep",
                r"pharmacist",  # pain relief is their question
                r"both legs",  # the signs that change the plan
                r"peeing",
                r"/urgent",
                r"15–20 minutes at a time",  # heat: how long, and check the skin
                r"check your skin",
                r"too much to cope with even with pain relief",
                r"111",
                r"GP or physiotherapist",
            ],
        ),
        (
            "zh",
            [
                *("不要按摩", "走", "皮肤发麻", "睡觉时", "药师", "两条腿", "小便", "/urgent"),
                *("每次 15–20 分钟", "看看皮肤", "用了止痛药仍然痛得难以忍受", "康复治疗师"),
            ],
        ),
    ],
)
def test_the_bad_day_plan_needs_no_massage_and_keeps_the_warning_signs(
    language: str, must_say: list[str]
) -> None:
    page = plain(load(language).pages["flare"])
    for phrase in must_say:
        assert re.search(phrase, page, re.IGNORECASE), phrase
    assert not re.search(r"\bbed rest\b(?! is not)", page)


@pytest.mark.parametrize(
    ("language", "levels"),
    [
        # Each sign on the level /urgent gives it (safety-facts "One safety state": a weakening
        # leg and fever are same day, not "get help now").
        (
            "en",
            {"both legs": "help now", "weaker": "same day", "fever": "same day", "few days": "GP"},
        ),
        (
            "zh",
            {"两条腿": "立即求助", "越来越无力": "当天就医", "发热": "当天就医", "几天": "预约"},
        ),
    ],
)
def test_the_bad_day_plan_triages_as_urgent_does(language: str, levels: dict[str, str]) -> None:
    lines = plain(load(language).pages["flare"]).splitlines()
    for sign, level in levels.items():
        naming = [line for line in lines if sign in line]
        assert naming and all(line.startswith("•") and level in line for line in naming), sign


@pytest.mark.parametrize(
    ("language", "median", "explained"),
    [
        ("en", r"\bmedian\b", r"\bmiddle score\b"),
        ("zh", r"中位数", r"中间值|一半的分数|排在中间的分数"),
    ],
)
def test_the_median_is_explained_wherever_the_user_sees_it(
    language: str, median: str, explained: str
) -> None:
    """The record for a doctor (report_*) may say "median" plainly; the chat explains it."""
    content = load(language)
    unexplained = [
        key
        for key, text in content.text.items()
        if not key.startswith("report_")
        and re.search(median, text)
        and not re.search(explained, text)
    ]
    assert unexplained == []


@pytest.mark.parametrize(("language", "adults"), [("en", r"\badults\b"), ("zh", r"成年人")])
def test_the_first_message_and_the_profile_say_the_bot_is_for_adults(
    language: str, adults: str
) -> None:
    """NICE NG59 covers people over 16 (safety-facts "One safety state": audience)."""
    content = load(language)
    for text in (content.text["welcome"], *content.profile.values()):
        assert re.search(adults, text), text
