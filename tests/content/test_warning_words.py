"""Free text that names a warning sign: the words of every language, whatever the user's."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import content as content_package
from content import ContentError, load, load_all
from content.loader import WarningWords
from content.warning_words import names_warning_sign

EVERY_LANGUAGE = [content.warning_words for content in load_all().values()]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("My left leg went numb this morning", id="en-numb"),
        pytest.param("NUMBNESS in my foot", id="en-upper-case"),
        pytest.param("numbness between my legs, around the saddle area", id="en-saddle"),
        pytest.param("my leg feels weak", id="en-weak"),
        pytest.param("my knee keeps giving way", id="en-giving-way"),
        pytest.param("I can’t feel my toes", id="en-curly-apostrophe"),
        pytest.param("trouble peeing since yesterday", id="en-peeing"),
        pytest.param("I had an accident with my bowels", id="en-bowels"),
        pytest.param("pins and\nneedles down my leg", id="en-phrase-across-a-line-break"),
        pytest.param("ｎｕｍｂ", id="en-full-width"),
        pytest.param("腿麻了", id="zh-numb"),
        pytest.param("左腿没力气", id="zh-no-strength"),
        pytest.param("右脚无力", id="zh-weak"),
        pytest.param("今天小便困难", id="zh-peeing"),
        pytest.param("大便控制不住", id="zh-bowels"),
        pytest.param("排尿有点问题", id="zh-urine"),
        pytest.param("麻烦问一下，腿有点麻", id="zh-trouble-then-numb"),
        pytest.param("my back hurts and 腿麻", id="mixed"),
    ],
)
def test_a_warning_sign_is_found_in_either_language(text: str) -> None:
    assert names_warning_sign(text, EVERY_LANGUAGE)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("my back hurts a lot today", id="en-back-pain"),
        pytest.param("hello", id="en-hello"),
        pytest.param("a number of questions", id="en-number-holds-numb"),
        pytest.param("see you at the weekend", id="en-weekend"),
        pytest.param("the pool was nice", id="en-pool-holds-poo"),
        pytest.param("my gallbladder", id="en-inside-a-word"),
        pytest.param("麻烦问一下", id="zh-trouble-holds-numb"),
        pytest.param("今天腰很痛", id="zh-back-pain"),
        pytest.param("", id="empty"),
    ],
)
def test_other_words_are_not_warning_signs(text: str) -> None:
    assert not names_warning_sign(text, EVERY_LANGUAGE)


def test_each_language_finds_its_own_words() -> None:
    english, chinese = load("en").warning_words, load("zh").warning_words
    assert names_warning_sign("numb", [english]) and not names_warning_sign("numb", [chinese])
    assert names_warning_sign("腿麻", [chinese]) and not names_warning_sign("腿麻", [english])


def test_a_word_taken_out_in_one_language_stays_a_sign_in_another() -> None:
    words = [WarningWords(signs=("麻",), not_signs=("麻烦",)), WarningWords(signs=("麻烦",))]
    assert names_warning_sign("麻烦", words)


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        pytest.param("", "missing table [warning_words]", id="missing"),
        pytest.param("[warning_words]\nsigns = []\n", "at least one", id="no-signs"),
        pytest.param('[warning_words]\nsigns = ["numb", ""]\n', "non-empty", id="empty-word"),
        pytest.param('[warning_words]\nsigns = "numb"\n', "a list", id="not-a-list"),
        pytest.param(
            '[warning_words]\nsigns = ["numb"]\nwords = ["x"]\n', "unknown keys", id="extra-key"
        ),
    ],
)
def test_the_word_lists_are_checked_at_load(tmp_path: Path, table: str, problem: str) -> None:
    root = tmp_path / "content"
    folder = Path(content_package.__file__).parent
    shutil.copytree(folder, root, ignore=shutil.ignore_patterns("*.png", "*.py", "__pycache__"))
    messages = root / "en" / "messages.toml"
    text = messages.read_text(encoding="utf-8")
    messages.write_text(text[: text.index("[warning_words]")] + table, encoding="utf-8")
    with pytest.raises(ContentError, match=re.escape(problem)):
        load("en", root)
