"""What the one safety state says (issue 20), in both languages: the pain stop and "worse"
end massage for the day with the next-day rule; every reason that holds massage has its
words; a card shared with a helper names who not to massage without asking a doctor.
Each check is shown failing on the regression it guards against."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

import pytest

from content import Content, load
from content.markup import plain
from storage import Hold

#: What the pain stop and "worse" must say (safety-facts.md "One safety state").
DAY_STOP = {
    "en": ("No more massage today", "hasn't settled by tomorrow", "doctor or physiotherapist"),
    "zh": ("今天不要再按摩", "到明天", "医生或康复治疗师"),
}
#: Who should not be massaged without asking a doctor first, each as it must be named.
SHARE_CAUTION = {
    "en": (
        r"blood thinners",
        r"bleeding disorder",
        r"\bclot\b",
        r"fracture",
        r"weak bones",
        r"below the knee",
        r"pregnant",
    ),
    "zh": (r"抗凝", r"出血", r"血栓", r"骨折", r"骨质疏松", r"膝盖以下", r"怀孕"),
}


def day_stop_problems(texts: Mapping[str, str], language: str) -> Iterator[str]:
    for key in ("session_pain_stop", "session_felt_worse"):
        for wanted in DAY_STOP[language]:
            if wanted not in plain(texts[key]):
                yield f"{key}: does not say {wanted!r}"


def share_caution_problems(text: str, language: str) -> Iterator[str]:
    for wanted in SHARE_CAUTION[language]:
        if not re.search(wanted, plain(text)):
            yield f"share_caution: does not name {wanted!r}"


@pytest.fixture(params=["en", "zh"])
def content(request: pytest.FixtureRequest) -> Content:
    return load(request.param)


def test_the_pain_stop_and_worse_end_massage_for_the_day(content: Content) -> None:
    assert list(day_stop_problems(content.text, content.language)) == []
    broken = {**content.text, "session_felt_worse": "Sorry it felt worse. Rest a bit."}
    assert list(day_stop_problems(broken, content.language))


def test_a_shared_card_names_who_not_to_massage(content: Content) -> None:
    text = content.message("share_caution")
    assert list(share_caution_problems(text, content.language)) == []
    without_pregnancy = text.replace("pregnant", "tired").replace("怀孕", "很累")
    assert list(share_caution_problems(without_pregnancy, content.language))


def test_every_reason_massage_is_held_has_its_words(content: Content) -> None:
    for hold in Hold:
        assert plain(content.message(f"massage_held_{hold.value}", date="2026-12-07"))
    assert plain(content.message("massage_held_ask"))
    # The day's holds say they end with the day; the others name what lifts them.
    assert all(
        "tomorrow" in content.message(f"massage_held_{h.value}")
        or "明天" in content.message(f"massage_held_{h.value}")
        for h in Hold
        if h.today_only
    )
