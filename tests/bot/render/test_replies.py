"""Every reply with buttons: callback data that fits in 64 bytes and that a registered
handler takes, and text Telegram accepts as HTML."""

from __future__ import annotations

import re

import pytest
from telegram.ext import Application, CallbackQueryHandler

from bot import callbacks
from bot.handlers import register
from bot.ops.content import picked
from bot.render import checkins as render_checkins
from bot.render import pages as render_pages
from bot.render import progress as render_progress
from bot.render import safety as render_safety
from bot.render import settings as render_settings
from bot.render import techniques as render_techniques
from bot.render import tips as render_tips
from bot.render.common import Reply, echo
from content import Content
from content.markup import check_message
from storage import Caution, Store
from storage.rules.schedule import EVERY_DAY, WEEKDAYS
from tests.conftest import FakeClock
from tests.helpers import (
    TECHNIQUE_IDS,
    Build,
    callback_data,
    first_technique,
    sample_permit,
    settings_with,
)

CALLBACK_PATTERNS = (
    callbacks.TECHNIQUE_PATTERN,
    callbacks.PAGE_PATTERN,
    callbacks.SUBSCRIBE_PATTERN,
    callbacks.SETTINGS_PATTERN,
    callbacks.DAYS_PATTERN,
    callbacks.PAUSE_PATTERN,
    callbacks.DELETE_PATTERN,
    callbacks.CAUTION_PATTERN,
    callbacks.SAFETY_STATE_PATTERN,
    callbacks.CHECKIN_PATTERN,
    callbacks.CHECKIN_ASK_PATTERN,
    callbacks.HOLD_PATTERN,
    callbacks.PROGRESS_PATTERN,
    callbacks.LANGUAGE_PATTERN,
    callbacks.FEEDBACK_PATTERN,
    callbacks.BROADCAST_PATTERN,
    callbacks.SESSION_PATTERN,
    callbacks.FLARE_PATTERN,
    callbacks.RED_FLAG_PATTERN,
    callbacks.LATER_PATTERN,
    callbacks.WEEKLY_PATTERN,
    callbacks.FIT_PATTERN,
    callbacks.WHY_PATTERN,
)


def _card(technique_id: str) -> Build:
    def build(content: Content, store: Store, clock: FakeClock) -> Reply:
        technique = content.technique(technique_id)
        assert technique is not None
        return render_techniques.technique_card(content, technique, sample_permit())

    return build


def _technique_reply(name: str, technique_id: str) -> Build:
    def build(content: Content, store: Store, clock: FakeClock) -> Reply:
        technique = content.technique(technique_id)
        assert technique is not None
        result: Reply = getattr(render_safety, name)(content, technique.id)
        return result

    return build


def _settings(subscribed: bool) -> Build:
    def build(content: Content, store: Store, clock: FakeClock) -> Reply:
        subscriber = store.subscribe(1, clock())[0] if subscribed else store.ensure(1, clock())
        return render_settings.settings(content, subscriber, clock())

    return build


def _paused(days: int | None, subscribed: bool = True) -> Build:
    def build(content: Content, store: Store, clock: FakeClock) -> Reply:
        if subscribed:
            store.subscribe(1, clock())
        store.pause(1, days, clock())
        return render_settings.settings(content, store.ensure(1, clock()), clock())

    return build


def _days_menu(days: int) -> Build:
    def build(content: Content, store: Store, clock: FakeClock) -> Reply:
        return render_settings.days_menu(content, store.set_days(1, days, clock()))

    return build


KEYBOARD_REPLIES = [
    pytest.param(lambda c, s, k: render_pages.welcome(c), id="welcome"),
    pytest.param(lambda c, s, k: render_pages.page(c, "safety"), id="page-safety"),
    pytest.param(lambda c, s, k: render_pages.page(c, "benefits"), id="page-benefits"),
    pytest.param(lambda c, s, k: render_pages.page(c, "urgent"), id="page-urgent"),
    pytest.param(lambda c, s, k: render_pages.page(c, "sources"), id="page-sources"),
    pytest.param(
        lambda c, s, k: render_tips.daily_tip(c, picked(c, first_technique(c), ask_caution=True)),
        id="daily_tip-caution-gate",
    ),
    pytest.param(
        lambda c, s, k: render_tips.tip(c, picked(c, first_technique(c), ask_caution=True)),
        id="tip-caution-gate",
    ),
    pytest.param(lambda c, s, k: render_pages.delete_confirm(c), id="delete_confirm"),
    pytest.param(lambda c, s, k: render_techniques.technique_list(c), id="technique_list"),
    *[pytest.param(_card(t), id=f"technique_card-{t}") for t in TECHNIQUE_IDS],
    *[
        pytest.param(_technique_reply(name, t), id=f"{name}-{t}")
        for name in ("caution_check", "doctor_first")
        for t in TECHNIQUE_IDS
    ],
    pytest.param(lambda c, s, k: render_tips.daily_tip(c, picked(c, 0)), id="daily_tip"),
    pytest.param(_settings(subscribed=True), id="settings-subscribed"),
    pytest.param(_settings(subscribed=False), id="settings-unsubscribed"),
    pytest.param(lambda c, s, k: render_settings.time_menu(c), id="time_menu"),
    pytest.param(lambda c, s, k: render_settings.timezone_menu(c), id="timezone_menu"),
    pytest.param(_paused(3), id="settings-paused-3-days"),
    pytest.param(_paused(None), id="settings-paused-until-resume"),
    pytest.param(_paused(None, subscribed=False), id="settings-paused-unsubscribed"),
    pytest.param(_days_menu(EVERY_DAY), id="days_menu-every-day"),
    pytest.param(_days_menu(WEEKDAYS), id="days_menu-weekdays"),
    pytest.param(_days_menu(0b0010101), id="days_menu-mon-wed-fri"),
    pytest.param(_days_menu(0b1000000), id="days_menu-sunday"),
    pytest.param(lambda c, s, k: render_settings.pause_menu(c), id="pause_menu"),
    pytest.param(lambda c, s, k: render_checkins.checkin(c), id="checkin"),
    pytest.param(lambda c, s, k: render_checkins.checked_in(c, 9, True), id="checked_in-rising"),
    pytest.param(lambda c, s, k: render_checkins.checked_in(c, 4, False), id="checked_in-steady"),
    pytest.param(
        lambda c, s, k: render_tips.daily_tip(c, picked(c, 0), checkin_prompt=True),
        id="daily_tip-with-checkin",
    ),
    pytest.param(settings_with(hold=True, prompt=True), id="settings-held-prompted"),
    pytest.param(settings_with(caution=Caution.APPLIES), id="settings-caution-applies"),
    pytest.param(
        lambda c, s, k: render_progress.progress(c, s.record(1, k())), id="progress-no-checkins"
    ),
    pytest.param(lambda c, s, k: render_tips.tip(c, picked(c, 0)), id="tip"),
    *[
        pytest.param(
            lambda c, s, k, q=question: render_tips.fit_question(c, q), id=f"fit-{question}"
        )
        for question in callbacks.FIT_QUESTIONS
    ],
    pytest.param(
        lambda c, s, k: render_tips.fit_summary(
            c, s.set_fit(1, k(), below_knee="yes", days_like="physical", focus="sleep")
        ),
        id="fit_summary",
    ),
    pytest.param(
        lambda c, s, k: render_tips.fit_summary(c, s.ensure(1, k())), id="fit_summary-none"
    ),
]


TEXT_ONLY_REPLIES = [
    pytest.param(lambda c, s, k: render_pages.help_text(c), id="help"),
    pytest.param(lambda c, s, k: render_tips.why(c, c.tips[0].id), id="why"),
    pytest.param(lambda c, s, k: render_tips.why(c, "no_such_tip"), id="why-unknown"),
    pytest.param(
        lambda c, s, k: render_techniques.technique_list(
            c, c.message("technique_unknown", name=echo("<boxing & more>"))
        ),
        id="technique_list-with-unknown-intro",
    ),
    pytest.param(
        lambda c, s, k: render_settings.subscription(c, "subscribed", s.subscribe(1, k())[0]),
        id="subscription",
    ),
    pytest.param(
        lambda c, s, k: render_settings.time_set(c, s.subscribe(1, k())[0], k()),
        id="time_set-subscribed",
    ),
    pytest.param(lambda c, s, k: render_settings.time_set(c, s.ensure(1, k()), k()), id="time_set"),
    pytest.param(
        lambda c, s, k: render_settings.paused(c, s.pause(1, 3, k()), k()), id="paused-for-days"
    ),
    pytest.param(
        lambda c, s, k: render_settings.paused(c, s.pause(1, None, k()), k()),
        id="paused-until-resume",
    ),
    pytest.param(
        lambda c, s, k: render_settings.resumed(c, s.subscribe(1, k())[0], True, k()), id="resumed"
    ),
    pytest.param(
        lambda c, s, k: render_settings.resumed(c, s.ensure(1, k()), False, k()), id="not_paused"
    ),
    pytest.param(lambda c, s, k: Reply(c.message("pause_usage")), id="pause_usage"),
    pytest.param(lambda c, s, k: render_pages.privacy(c, 90), id="privacy"),
    pytest.param(
        lambda c, s, k: render_safety.hold_lifted(
            c, (s.set_caution(1, Caution.NONE, k()), s.massage(1, k()))[1]
        ),
        id="hold_lifted",
    ),
    pytest.param(lambda c, s, k: Reply(c.message("deleted")), id="deleted"),
    pytest.param(lambda c, s, k: Reply(c.message("delete_cancelled")), id="delete_cancelled"),
]


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


def test_callback_patterns_are_the_registered_ones() -> None:
    application = Application.builder().token("1:TEST").build()
    register(application)
    registered = {
        handler.pattern.pattern
        for handler in application.handlers[0]
        if isinstance(handler, CallbackQueryHandler) and isinstance(handler.pattern, re.Pattern)
    }
    assert registered == set(CALLBACK_PATTERNS)


def test_each_settings_button_has_exactly_one_handler() -> None:
    data = [
        callbacks.DAYS_MENU,
        callbacks.DAYS_EVERY_DAY,
        callbacks.DAYS_WEEKDAYS,
        *[callbacks.day_toggle(weekday) for weekday in range(7)],
        callbacks.PAUSE_MENU,
        *[callbacks.pause_choice(days) for days in (*render_settings.PAUSE_PRESETS, None)],
        callbacks.RESUME,
        callbacks.SETTINGS,
        callbacks.TIME_MENU,
        callbacks.TIMEZONE_MENU,
        callbacks.SETTINGS_CHECKIN_ON,
        callbacks.SETTINGS_CHECKIN_OFF,
        callbacks.SETTINGS_HOLD_OFF,
        callbacks.CHECKIN_ASK,
        callbacks.HOLD_FINE,
        callbacks.PROGRESS,
    ]
    matches = {d: [p for p in CALLBACK_PATTERNS if re.match(p, d)] for d in data}
    assert {d: len(found) for d, found in matches.items() if len(found) != 1} == {}


@pytest.mark.parametrize(
    "data",
    [
        pytest.param("set:day:7", id="no-eighth-day"),
        pytest.param("set:days:weekend", id="unknown-preset"),
        pytest.param("set:pause:1000", id="pause-too-many-digits"),
        pytest.param("set:pause:", id="pause-empty"),
        pytest.param("set:resume:now", id="resume-with-argument"),
        pytest.param("fit:knee:sitting", id="fit-answer-of-another-question"),
        pytest.param("fit:knee:", id="fit-empty"),
        pytest.param("fit:mood:sleep", id="fit-unknown-question"),
        pytest.param("why:", id="why-empty"),
        pytest.param("why:Tip<b>", id="why-not-an-id"),
    ],
)
def test_forged_day_and_pause_data_matches_no_pattern(data: str) -> None:
    assert [p for p in CALLBACK_PATTERNS if re.match(p, data)] == []


@pytest.mark.parametrize("build", KEYBOARD_REPLIES + TEXT_ONLY_REPLIES)
def test_reply_text_is_valid_telegram_html(
    build: Build, content: Content, store: Store, clock: FakeClock
) -> None:
    check_message(build(content, store, clock).text)  # raises if Telegram would refuse it


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(callbacks.caution(callbacks.CAUTION_NONE, "kneading"), id="technique"),
        pytest.param(
            callbacks.caution(callbacks.CAUTION_CLEARED, callbacks.caution_tip("x_y", daily=True)),
            id="daily-tip",
        ),
        pytest.param(
            callbacks.caution(callbacks.CAUTION_APPLIES, callbacks.caution_tip("x_y", daily=False)),
            id="tip",
        ),
    ],
)
def test_caution_data_parses_back(data: str) -> None:
    parsed = callbacks.parse_caution(data)
    assert callbacks.caution(parsed.answer, parsed.target) == data
    assert (parsed.technique_id is None) is (parsed.tip_id is not None)
    assert re.match(callbacks.CAUTION_PATTERN, data)
