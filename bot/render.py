"""Content and settings rendered into Telegram HTML text and inline keyboards."""

from __future__ import annotations

import difflib
import html
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from content import Content, Technique
from storage import Subscriber
from storage.schedule import format_time, local_date

#: Preset times offered by the "Change time" button (24-hour, HHMM).
PRESET_TIMES = ("0600", "0700", "0800", "0900", "1200", "1800", "2000", "2100", "2200")
#: Preset timezones offered by the "Change timezone" button; any other is typed with /timezone.
PRESET_TIMEZONES = (
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Moscow",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
)
#: How much of what a user typed is echoed back in a reply.
MAX_ECHO = 40


@dataclass(frozen=True)
class Reply:
    """A message to send or to edit into: HTML text and an optional keyboard."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None


def echo(value: str) -> str:
    """Return user input made safe to show inside an HTML reply, shortened if long."""
    value = " ".join(value.split())
    if len(value) > MAX_ECHO:
        value = value[: MAX_ECHO - 1] + "…"
    return html.escape(value)


def _button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data)


def welcome(content: Content) -> Reply:
    """The /start message with its three buttons."""
    buttons = content.buttons
    return Reply(
        content.message("welcome"),
        InlineKeyboardMarkup(
            [
                [_button(buttons["subscribe"], callbacks.SUBSCRIBE)],
                [
                    _button(buttons["techniques"], callbacks.TECHNIQUES),
                    _button(buttons["safety"], callbacks.SAFETY),
                ],
            ]
        ),
    )


def help_text(content: Content) -> Reply:
    """The /help message."""
    return Reply(content.message("help"))


def page(content: Content, key: str) -> Reply:
    """A long page (/safety, /benefits) with buttons to the other pages."""
    buttons = content.buttons
    other = (
        _button(buttons["benefits"], callbacks.BENEFITS)
        if key == "safety"
        else _button(buttons["safety"], callbacks.SAFETY)
    )
    return Reply(
        content.pages[key],
        InlineKeyboardMarkup([[_button(buttons["techniques"], callbacks.TECHNIQUES), other]]),
    )


def technique_list(content: Content, intro: str | None = None) -> Reply:
    """The list of techniques as buttons, two to a row."""
    technique_buttons = [_button(t.button, callbacks.technique(t.id)) for t in content.techniques]
    rows = [technique_buttons[i : i + 2] for i in range(0, len(technique_buttons), 2)]
    rows.append(
        [
            _button(content.buttons["safety"], callbacks.SAFETY),
            _button(content.buttons["benefits"], callbacks.BENEFITS),
        ]
    )
    text = content.message("technique_list")
    if intro:
        text = f"{intro}\n\n{text}"
    return Reply(text, InlineKeyboardMarkup(rows))


def technique_card(content: Content, technique: Technique) -> Reply:
    """One technique's card, with a way back to the list and to the safety page."""
    heading = content.message
    steps = "\n".join(f"{number}. {step}" for number, step in enumerate(technique.steps, start=1))
    sections = [
        f"<b>{technique.name}</b>\n{technique.what}",
        f"<b>{heading('technique_heading_who')}</b>\n{technique.who}",
        f"<b>{heading('technique_heading_yourself')}</b>\n{technique.on_yourself}",
        f"<b>{heading('technique_heading_steps')}</b>\n{steps}",
        f"<b>{heading('technique_heading_dose')}</b>\n{technique.dose}",
        f"<b>{heading('technique_heading_helps')}</b>\n{technique.helps}",
        f"<b>{heading('technique_heading_stop')}</b>\n{technique.stop}",
    ]
    keyboard = InlineKeyboardMarkup(
        [
            [
                _button(content.buttons["back_to_list"], callbacks.TECHNIQUES),
                _button(content.buttons["safety"], callbacks.SAFETY),
            ]
        ]
    )
    return Reply("\n\n".join(sections), keyboard)


def find_technique(content: Content, query: str) -> Technique | None:
    """Return the technique a user named, allowing any case and close misspellings."""
    wanted = " ".join(query.lower().split())
    if not wanted:
        return None
    names: dict[str, Technique] = {}
    for technique in content.techniques:
        for name in (technique.id, technique.name.lower(), *technique.aliases):
            names.setdefault(name, technique)
    if wanted in names:
        return names[wanted]
    close = difflib.get_close_matches(wanted, list(names), n=1, cutoff=0.7)
    return names[close[0]] if close else None


def daily_tip(content: Content, tip_text: str) -> Reply:
    """The daily tip, with the safety page one tap away."""
    return Reply(
        content.message("daily_tip", tip=tip_text),
        InlineKeyboardMarkup(
            [
                [
                    _button(content.buttons["techniques"], callbacks.TECHNIQUES),
                    _button(content.buttons["safety"], callbacks.SAFETY),
                ]
            ]
        ),
    )


def tip(tip_text: str) -> Reply:
    """A tip asked for with /tip."""
    return Reply(tip_text)


def next_tip(content: Content, subscriber: Subscriber, now: datetime) -> str:
    """When the subscriber's next tip comes, in words ("tomorrow at 09:00")."""
    if subscriber.next_due is None:
        return content.message("next_tip_none")
    zone = subscriber.zone
    due = subscriber.next_due.astimezone(zone)
    at = format_time(due.time())
    today = local_date(now, zone)
    if due.date() == today:
        return content.message("next_today", time=at)
    if due.date() == today + timedelta(days=1):
        return content.message("next_tomorrow", time=at)
    return content.message("next_date", date=due.date().isoformat(), time=at)


def _schedule_values(subscriber: Subscriber) -> dict[str, str]:
    return {
        "time": format_time(subscriber.tip_time),
        "timezone": html.escape(subscriber.timezone),
    }


def subscription(content: Content, key: str, subscriber: Subscriber) -> Reply:
    """A reply about the subscription that names the time and timezone."""
    return Reply(content.message(key, **_schedule_values(subscriber)))


def settings(content: Content, subscriber: Subscriber, now: datetime) -> Reply:
    """The /settings view with buttons to change each setting."""
    buttons = content.buttons
    toggle = (
        _button(buttons["unsubscribe"], callbacks.SETTINGS_UNSUBSCRIBE)
        if subscriber.subscribed
        else _button(buttons["subscribe"], callbacks.SETTINGS_SUBSCRIBE)
    )
    text = content.message(
        "settings",
        status=content.message("status_on" if subscriber.subscribed else "status_off"),
        next=next_tip(content, subscriber, now),
        **_schedule_values(subscriber),
    )
    keyboard = InlineKeyboardMarkup(
        [
            [toggle],
            [
                _button(buttons["settings_time"], callbacks.TIME_MENU),
                _button(buttons["settings_timezone"], callbacks.TIMEZONE_MENU),
            ],
        ]
    )
    return Reply(text, keyboard)


def time_set(content: Content, subscriber: Subscriber, now: datetime) -> Reply:
    """The reply to a new tip time, with the next tip when subscribed."""
    if subscriber.subscribed:
        return Reply(
            content.message(
                "time_set_next",
                next=next_tip(content, subscriber, now),
                **_schedule_values(subscriber),
            )
        )
    return subscription(content, "time_set", subscriber)


def time_menu(content: Content) -> Reply:
    """Preset times as buttons."""
    presets = [
        _button(f"{hhmm[:2]}:{hhmm[2:]}", callbacks.time_choice(hhmm)) for hhmm in PRESET_TIMES
    ]
    rows = [presets[i : i + 3] for i in range(0, len(presets), 3)]
    rows.append([_button(content.buttons["settings_back"], callbacks.SETTINGS)])
    return Reply(content.message("time_choose"), InlineKeyboardMarkup(rows))


def timezone_menu(content: Content) -> Reply:
    """Preset timezones as buttons."""
    presets = [_button(name, callbacks.timezone_choice(name)) for name in PRESET_TIMEZONES]
    rows = [presets[i : i + 2] for i in range(0, len(presets), 2)]
    rows.append([_button(content.buttons["settings_back"], callbacks.SETTINGS)])
    return Reply(content.message("timezone_choose"), InlineKeyboardMarkup(rows))
