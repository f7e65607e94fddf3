"""Echoing what a user typed: escaped, stripped of control characters, shortened."""

from __future__ import annotations

import pytest

from bot.render.common import MAX_ECHO, echo
from content.markup import check_message, plain


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("<b>", "&lt;b&gt;", id="angle-brackets"),
        pytest.param("salt & pepper", "salt &amp; pepper", id="ampersand"),
        pytest.param("Mars/Base", "Mars/Base", id="plain"),
        pytest.param("  two \n words ", "two words", id="whitespace-collapsed"),
        # U+202E would reverse the rest of the reply; zero-width and control characters hide
        # what was typed.
        pytest.param("Europe/\u202eBerlin", "Europe/Berlin", id="right-to-left-override"),
        pytest.param("knead\u200b\u2066ing\x07", "kneading", id="zero-width-and-control"),
    ],
)
def test_echo_escapes_html(value: str, expected: str) -> None:
    assert echo(value) == expected


def test_echo_keeps_input_of_max_length() -> None:
    value = "x" * MAX_ECHO
    assert echo(value) == value


def test_echo_shortens_long_input_to_max_length() -> None:
    shortened = echo("x" * (MAX_ECHO + 1))
    assert (len(shortened), shortened[-1]) == (MAX_ECHO, "…")


def test_echo_shortens_before_escaping() -> None:
    shortened = echo("&" * 100)
    check_message(shortened)  # raises if Telegram would refuse it
    assert len(plain(shortened)) == MAX_ECHO
