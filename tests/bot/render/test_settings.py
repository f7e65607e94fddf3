"""/settings and what it changes: days, pauses, the next tip, and the safety lines."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot import callbacks
from bot.render import settings as render_settings
from content import Content, load
from storage import Caution, Store
from storage.rules.schedule import EVERY_DAY, WEEKDAYS, parse_timezone
from tests.conftest import FakeClock
from tests.helpers import callback_data, labels, reply_data, settings_with


def test_preset_timezones_are_canonical_names() -> None:
    assert [parse_timezone(name) for name in render_settings.PRESET_TIMEZONES] == list(
        render_settings.PRESET_TIMEZONES
    )


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        pytest.param(EVERY_DAY, "every day", id="every-day"),
        pytest.param(WEEKDAYS, "weekdays", id="weekdays"),
        pytest.param(0b0010101, "Mon, Wed, Fri", id="mon-wed-fri"),
        pytest.param(0b1100000, "Sat, Sun", id="weekend"),
        pytest.param(0b0000001, "Mon", id="monday"),
    ],
)
def test_days_label(content: Content, days: int, expected: str) -> None:
    assert render_settings.days_label(content, days) == expected


def test_days_menu_checks_the_chosen_days(content: Content, store: Store, clock: FakeClock) -> None:
    reply = render_settings.days_menu(content, store.set_days(1, 0b0010101, clock()))
    shown = labels(reply)
    toggles = [shown[callbacks.day_toggle(weekday)] for weekday in range(7)]
    assert toggles == ["✓ Mon", "Tue", "✓ Wed", "Thu", "✓ Fri", "Sat", "Sun"]
    assert shown[callbacks.DAYS_EVERY_DAY] == content.buttons["days_every_day"]
    assert shown[callbacks.DAYS_WEEKDAYS] == content.buttons["days_weekdays"]
    assert shown[callbacks.SETTINGS] == content.buttons["settings_back"]
    assert "Mon, Wed, Fri" in reply.text


def test_pause_menu_offers_presets_and_until_resume(content: Content) -> None:
    shown = labels(render_settings.pause_menu(content))
    assert list(shown) == [
        callbacks.pause_choice(1),
        callbacks.pause_choice(3),
        callbacks.pause_choice(7),
        callbacks.pause_choice(None),
        callbacks.SETTINGS,
    ]


def test_settings_shows_days_pause_and_the_pause_button(
    content: Content, store: Store, clock: FakeClock
) -> None:
    store.subscribe(1, clock())
    reply = render_settings.settings(content, store.set_days(1, WEEKDAYS, clock()), clock())
    assert "weekdays" in reply.text
    assert content.message("pause_none") in reply.text
    assert content.message("next_today", time="09:00") in reply.text
    data = callback_data(reply)
    assert callbacks.DAYS_MENU in data and callbacks.PAUSE_MENU in data
    assert callbacks.RESUME not in data


def test_settings_while_paused_shows_the_date_and_the_resume_button(
    content: Content, store: Store, clock: FakeClock
) -> None:
    store.subscribe(1, clock())
    subscriber = store.pause(1, 3, clock())
    reply = render_settings.settings(content, subscriber, clock())
    assert content.message("pause_until", date="2026-11-29") in reply.text
    assert content.message("next_date", date="2026-11-29", time="09:00") in reply.text
    data = callback_data(reply)
    assert callbacks.RESUME in data and callbacks.PAUSE_MENU not in data


def test_settings_paused_until_resume_says_how_to_resume(
    content: Content, store: Store, clock: FakeClock
) -> None:
    store.subscribe(1, clock())
    reply = render_settings.settings(content, store.pause(1, None, clock()), clock())
    assert content.message("pause_until_resume") in reply.text
    assert content.message("next_tip_paused") in reply.text


def test_unsubscribed_settings_offer_no_pause(
    content: Content, store: Store, clock: FakeClock
) -> None:
    data = callback_data(render_settings.settings(content, store.ensure(1, clock()), clock()))
    assert callbacks.PAUSE_MENU not in data and callbacks.RESUME not in data


def test_a_pause_that_has_ended_is_not_shown(
    content: Content, store: Store, clock: FakeClock
) -> None:
    store.subscribe(1, clock())
    subscriber = store.pause(1, 1, clock())
    tomorrow = clock() + timedelta(days=1)
    assert render_settings.paused_until(subscriber, clock()) == date(2026, 11, 27)
    assert render_settings.paused_until(subscriber, tomorrow) is None
    assert (
        content.message("pause_none")
        in render_settings.settings(content, subscriber, tomorrow).text
    )


def test_paused_reply_names_the_date_and_the_next_tip(
    content: Content, store: Store, clock: FakeClock
) -> None:
    store.subscribe(1, clock())
    reply = render_settings.paused(content, store.pause(1, 3, clock()), clock())
    next_tip = content.message("next_date", date="2026-11-29", time="09:00")
    assert reply.text == content.message("paused_for_days", date="2026-11-29", next=next_tip)
    assert "/resume" in reply.text


@pytest.mark.parametrize("language", ["en", "zh"])
def test_settings_say_when_a_row_was_set_aside_and_how_to_fix_it(
    store: Store, clock: FakeClock, language: str
) -> None:
    content = load(language)
    store.subscribe(1, clock())
    store.db.execute("UPDATE subscribers SET timezone = 'Mars/Olympus_Mons' WHERE chat_id = 1")
    subscriber = store.pause(1, 2, clock())  # reschedules, which sets the row aside
    assert subscriber.quarantine is not None
    text = render_settings.settings(content, subscriber, clock()).text
    assert content.message("next_tip_set_aside") in text and "/timezone" in text


@pytest.mark.parametrize(
    ("caution", "key"),
    [
        pytest.param(caution, key, id=str(caution))
        for caution, key in render_settings.CAUTION_STATES.items()
    ],
)
def test_settings_show_the_safety_check_answer(
    content: Content, store: Store, clock: FakeClock, caution: Caution | None, key: str
) -> None:
    text = settings_with(caution=caution)(content, store, clock).text
    assert content.message(key) in text


@pytest.mark.parametrize("hold", [pytest.param(True, id="held"), pytest.param(False, id="not")])
def test_settings_offer_i_feel_fine_only_while_held(
    content: Content, store: Store, clock: FakeClock, hold: bool
) -> None:
    reply = settings_with(hold=hold)(content, store, clock)
    assert (callbacks.SETTINGS_HOLD_OFF in reply_data(reply)) is hold
    held = content.message("techniques_held")
    assert (held in reply.text) is hold


@pytest.mark.parametrize("on", [pytest.param(True, id="on"), pytest.param(False, id="off")])
def test_settings_toggle_the_check_in_button(
    content: Content, store: Store, clock: FakeClock, on: bool
) -> None:
    reply = settings_with(prompt=on)(content, store, clock)
    wanted = callbacks.SETTINGS_CHECKIN_OFF if on else callbacks.SETTINGS_CHECKIN_ON
    assert wanted in reply_data(reply)


@pytest.mark.parametrize(
    ("caution", "hold", "key"),
    [
        pytest.param(None, False, "techniques_ask", id="not-asked"),
        pytest.param(Caution.ASKED, False, "techniques_held_unanswered", id="asked"),
        pytest.param(Caution.APPLIES, True, "techniques_held_caution", id="applies"),
        pytest.param(Caution.NONE, True, "techniques_held", id="rising"),
        pytest.param(Caution.CLEARED, False, "techniques_on", id="cleared"),
    ],
)
def test_settings_say_why_tips_about_massage_are_held(
    content: Content,
    store: Store,
    clock: FakeClock,
    caution: Caution | None,
    hold: bool,
    key: str,
) -> None:
    reply = settings_with(hold=hold, caution=caution)(content, store, clock)
    assert content.message(key) in reply.text
