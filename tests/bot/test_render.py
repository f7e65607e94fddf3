"""Rendering replies: valid Telegram HTML, callback data that fits, and finding techniques."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from bot import callbacks, render
from bot.render import Reply
from content import Content, load
from content.loader import TEXT_PLACEHOLDERS
from content.markup import MarkupError, check_message, plain
from storage import Store
from storage.schedule import parse_timezone
from tests.conftest import FakeClock

TECHNIQUE_IDS = [technique.id for technique in load().techniques]
HEADING_KEYS = sorted(key for key in TEXT_PLACEHOLDERS if key.startswith("technique_heading_"))
CALLBACK_PATTERNS = (
    callbacks.TECHNIQUE_PATTERN,
    callbacks.PAGE_PATTERN,
    callbacks.SUBSCRIBE_PATTERN,
    callbacks.SETTINGS_PATTERN,
)

Build = Callable[[Content, Store, FakeClock], Reply]


def _card(technique_id: str) -> Build:
    def build(content: Content, store: Store, clock: FakeClock) -> Reply:
        technique = content.technique(technique_id)
        assert technique is not None
        return render.technique_card(content, technique)

    return build


def _settings(subscribed: bool) -> Build:
    def build(content: Content, store: Store, clock: FakeClock) -> Reply:
        subscriber = store.subscribe(1, clock())[0] if subscribed else store.ensure(1, clock())
        return render.settings(content, subscriber, clock())

    return build


KEYBOARD_REPLIES = [
    pytest.param(lambda c, s, k: render.welcome(c), id="welcome"),
    pytest.param(lambda c, s, k: render.page(c, "safety"), id="page-safety"),
    pytest.param(lambda c, s, k: render.page(c, "benefits"), id="page-benefits"),
    pytest.param(lambda c, s, k: render.technique_list(c), id="technique_list"),
    *[pytest.param(_card(t), id=f"technique_card-{t}") for t in TECHNIQUE_IDS],
    pytest.param(lambda c, s, k: render.daily_tip(c, c.tips[0].text), id="daily_tip"),
    pytest.param(_settings(subscribed=True), id="settings-subscribed"),
    pytest.param(_settings(subscribed=False), id="settings-unsubscribed"),
    pytest.param(lambda c, s, k: render.time_menu(c), id="time_menu"),
    pytest.param(lambda c, s, k: render.timezone_menu(c), id="timezone_menu"),
]

TEXT_ONLY_REPLIES = [
    pytest.param(lambda c, s, k: render.help_text(c), id="help"),
    pytest.param(lambda c, s, k: render.tip(c.tips[0].text), id="tip"),
    pytest.param(
        lambda c, s, k: render.technique_list(
            c, c.message("technique_unknown", name=render.echo("<boxing & more>"))
        ),
        id="technique_list-with-unknown-intro",
    ),
    pytest.param(
        lambda c, s, k: render.subscription(c, "subscribed", s.subscribe(1, k())[0]),
        id="subscription",
    ),
    pytest.param(
        lambda c, s, k: render.time_set(c, s.subscribe(1, k())[0], k()), id="time_set-subscribed"
    ),
    pytest.param(lambda c, s, k: render.time_set(c, s.ensure(1, k()), k()), id="time_set"),
]


def callback_data(reply: Reply) -> list[str]:
    assert reply.keyboard is not None
    data = [button.callback_data for row in reply.keyboard.inline_keyboard for button in row]
    assert all(isinstance(item, str) for item in data)
    return [str(item) for item in data]


@pytest.mark.parametrize("build", KEYBOARD_REPLIES)
def test_callback_data_fits_in_64_bytes(
    build: Build, content: Content, store: Store, clock: FakeClock
) -> None:
    data = callback_data(build(content, store, clock))
    assert data
    assert [item for item in data if len(item.encode()) > callbacks.MAX_BYTES] == []


@pytest.mark.parametrize("build", KEYBOARD_REPLIES)
def test_callback_data_matches_a_handler_pattern(
    build: Build, content: Content, store: Store, clock: FakeClock
) -> None:
    data = callback_data(build(content, store, clock))
    unhandled = [d for d in data if not any(re.match(p, d) for p in CALLBACK_PATTERNS)]
    assert unhandled == []


@pytest.mark.parametrize("build", KEYBOARD_REPLIES + TEXT_ONLY_REPLIES)
def test_reply_text_is_valid_telegram_html(
    build: Build, content: Content, store: Store, clock: FakeClock
) -> None:
    assert check_message(build(content, store, clock).text) is None


def test_daily_tip_is_valid_for_every_tip(content: Content) -> None:
    refused = []
    for tip in content.tips:
        try:
            check_message(render.daily_tip(content, tip.text).text)
        except MarkupError as error:
            refused.append((tip.id, str(error)))
    assert refused == []


@pytest.mark.parametrize("technique_id", TECHNIQUE_IDS)
def test_technique_card_contains_every_step(content: Content, technique_id: str) -> None:
    technique = content.technique(technique_id)
    assert technique is not None
    text = render.technique_card(content, technique).text
    assert [step for step in technique.steps if step not in text] == []


@pytest.mark.parametrize("technique_id", TECHNIQUE_IDS)
def test_technique_card_contains_every_heading(content: Content, technique_id: str) -> None:
    technique = content.technique(technique_id)
    assert technique is not None
    text = render.technique_card(content, technique).text
    assert HEADING_KEYS
    assert [key for key in HEADING_KEYS if content.message(key) not in text] == []


@pytest.mark.parametrize("technique_id", TECHNIQUE_IDS)
def test_technique_card_contains_the_stop_signs(content: Content, technique_id: str) -> None:
    technique = content.technique(technique_id)
    assert technique is not None
    assert technique.stop in render.technique_card(content, technique).text


def test_preset_timezones_are_canonical_names() -> None:
    assert [parse_timezone(name) for name in render.PRESET_TIMEZONES] == list(
        render.PRESET_TIMEZONES
    )


# echo ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("<b>", "&lt;b&gt;", id="angle-brackets"),
        pytest.param("salt & pepper", "salt &amp; pepper", id="ampersand"),
        pytest.param("Mars/Base", "Mars/Base", id="plain"),
        pytest.param("  two \n words ", "two words", id="whitespace-collapsed"),
    ],
)
def test_echo_escapes_html(value: str, expected: str) -> None:
    assert render.echo(value) == expected


def test_echo_keeps_input_of_max_length() -> None:
    value = "x" * render.MAX_ECHO
    assert render.echo(value) == value


def test_echo_shortens_long_input_to_max_length() -> None:
    shortened = render.echo("x" * (render.MAX_ECHO + 1))
    assert (len(shortened), shortened[-1]) == (render.MAX_ECHO, "…")


def test_echo_shortens_before_escaping() -> None:
    shortened = render.echo("&" * 100)
    assert check_message(shortened) is None
    assert len(plain(shortened)) == render.MAX_ECHO


# find_technique --------------------------------------------------------------------------------


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
    technique = render.find_technique(content, query)
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
    assert render.find_technique(content, query) is None
