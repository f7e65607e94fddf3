"""/settings and what it changes: subscription, time, timezone (and the location button),
days, pause and resume, /evening, the weekly look back's day, and when the next tip
comes."""

from __future__ import annotations

import html
from datetime import date, datetime, time, timedelta

from telegram import (
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot import callbacks
from bot.render.common import Prompt, Reply, callback_button
from bot.render.tips import fit_answers
from content import Content
from content.markup import plain
from storage import Caution, Subscriber
from storage.models import EVENING_FIRST, EVENING_LAST
from storage.rules.safety import Hold, decide
from storage.rules.schedule import EVERY_DAY, WEEKDAYS, format_time, local_date, local_date_in

#: Preset times offered by the "Change time" button (24-hour, HHMM).
PRESET_TIMES = tuple(time(hour) for hour in (6, 7, 8, 9, 12, 18, 20, 21, 22))


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


#: Pause lengths in days offered by the "Pause" button, each with its label's key.
PAUSE_PRESETS = {1: "pause_1", 3: "pause_3", 7: "pause_7"}


#: The text key of each weekday's short name, Monday first (as ``date.weekday()``).
DAY_KEYS = ("day_mon", "day_tue", "day_wed", "day_thu", "day_fri", "day_sat", "day_sun")


#: Each weekday as the weekly look back names it, in full: "every Monday", "每周一".
EVERY_KEYS = tuple(key.replace("day_", "every_") for key in DAY_KEYS)


#: The settings view's line for each answer to the caution check (None: not taken).
CAUTION_STATES = {
    None: "caution_not_taken",
    Caution.ASKED: "caution_state_asked",
    Caution.NONE: "caution_state_none",
    Caution.APPLIES: "caution_state_applies",
    Caution.CLEARED: "caution_state_cleared",
}


#: The settings view's line for massage: each reason it is held (``storage.safety``).
HOLD_STATES = {
    Hold.WARNING_SIGN: "techniques_held_warning_sign",
    Hold.PAIN_STOP: "techniques_held_pain_stop",
    Hold.WORSE: "techniques_held_worse",
    Hold.CAUTION: "techniques_held_caution",
    Hold.UNANSWERED: "techniques_held_unanswered",
    Hold.CHECKINS: "techniques_held",
    Hold.FLARE: "techniques_held_flare",
    Hold.PAUSED: "techniques_held_paused",
}


def paused_until(subscriber: Subscriber, now: datetime) -> date | None:
    """The first local date tips come again while paused (``date.max``: until /resume).

    None when not paused, including a pause whose end date has come.
    """
    return subscriber.resume_on if subscriber.paused_at(now) else None


def next_tip(content: Content, subscriber: Subscriber, now: datetime) -> str:
    """When the subscriber's next tip comes, in words ("tomorrow at 09:00")."""
    if subscriber.quarantine is not None and subscriber.active:
        return content.message("next_tip_set_aside")
    if subscriber.next_due is None:
        if subscriber.subscribed and paused_until(subscriber, now) == date.max:
            return content.message("next_tip_paused")
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


def days_label(content: Content, days: int) -> str:
    """The delivery days in words: "every day", "weekdays", or short names ("Mon, Wed, Fri")."""
    if days & EVERY_DAY == EVERY_DAY:
        return content.message("days_every_day")
    if days & EVERY_DAY == WEEKDAYS:
        return content.message("days_weekdays")
    return content.message("days_separator").join(
        content.message(key) for weekday, key in enumerate(DAY_KEYS) if days >> weekday & 1
    )


def pause_label(content: Content, subscriber: Subscriber, now: datetime) -> str:
    """The pause state in words, for the settings view."""
    until = paused_until(subscriber, now)
    if until is None:
        return content.message("pause_none")
    if until == date.max:
        return content.message("pause_until_resume")
    return content.message("pause_until", date=until.isoformat())


def subscription(content: Content, key: str, subscriber: Subscriber) -> Reply:
    """A reply about the subscription that names the time and timezone."""
    return Reply(content.message(key, **_schedule_values(subscriber)))


def subscribed(content: Content, subscriber: Subscriber, now: datetime, *, new: bool) -> Reply:
    """The reply to subscribing; for a newcomer whose day 1 is still to come today, when."""
    text = content.message("subscribed", **_schedule_values(subscriber))
    if new:
        later = content.message(
            "first_tip_later",
            days=str(content.program_days),
            next=next_tip(content, subscriber, now),
        )
        text = f"{text}\n\n{later}"
    return Reply(text)


def settings(content: Content, subscriber: Subscriber, now: datetime) -> Reply:
    """The /settings view with buttons to change each setting."""
    buttons = content.buttons
    toggle = (
        callback_button(buttons["unsubscribe"], callbacks.SETTINGS_UNSUBSCRIBE)
        if subscriber.subscribed
        else callback_button(buttons["subscribe"], callbacks.SETTINGS_SUBSCRIBE)
    )
    text = content.message(
        "settings",
        status=content.message("status_on" if subscriber.subscribed else "status_off"),
        days=days_label(content, subscriber.days),
        pause=pause_label(content, subscriber, now),
        next=next_tip(content, subscriber, now),
        techniques=massage_state(content, subscriber, now),
        checkin=content.message(
            "checkin_prompt_on" if subscriber.checkin_prompt else "checkin_prompt_off"
        ),
        caution=content.message(CAUTION_STATES[subscriber.caution]),
        fit=fit_answers(content, subscriber),
        **_schedule_values(subscriber),
    )
    days_row = [callback_button(buttons["settings_days"], callbacks.DAYS_MENU)]
    if paused_until(subscriber, now) is not None:
        days_row.append(callback_button(buttons["resume"], callbacks.RESUME))
    elif subscriber.subscribed:
        days_row.append(callback_button(buttons["pause"], callbacks.PAUSE_MENU))
    checkin_toggle = (
        callback_button(buttons["checkin_prompt_off"], callbacks.SETTINGS_CHECKIN_OFF)
        if subscriber.checkin_prompt
        else callback_button(buttons["checkin_prompt_on"], callbacks.SETTINGS_CHECKIN_ON)
    )
    rows = [
        [toggle],
        [
            callback_button(buttons["settings_time"], callbacks.TIME_MENU),
            callback_button(buttons["settings_timezone"], callbacks.TIMEZONE_MENU),
        ],
        days_row,
        [checkin_toggle],
    ]
    if subscriber.hold_techniques:
        rows.append([callback_button(buttons["hold_fine"], callbacks.SETTINGS_HOLD_OFF)])
    if subscriber.warning_sign_on is not None:
        rows.append([callback_button(buttons["clinician_seen"], callbacks.CLINICIAN_SEEN)])
    rows.append([callback_button(buttons["weekly"], callbacks.WEEKLY_MENU)])
    rows.append([callback_button(buttons["fit"], callbacks.FIT)])
    rows.append([callback_button(buttons["caution_retake"], callbacks.CAUTION_RETAKE)])
    keyboard = InlineKeyboardMarkup(rows)
    return Reply(text, keyboard)


def massage_state(content: Content, subscriber: Subscriber, now: datetime) -> str:
    """The settings view's line for massage: on, on after the check, or every reason it is
    held (the safety decision on the chat's local date)."""
    day = local_date_in(now, subscriber.timezone)  # a zone set aside counts in UTC
    decision = decide(subscriber.chat_id, subscriber, day)
    if decision.allowed:
        return content.message("techniques_on")
    if decision.ask:
        return content.message("techniques_ask")
    return "; ".join(content.message(HOLD_STATES[hold]) for hold in decision.holds)


def weekly_menu(content: Content, subscriber: Subscriber | None) -> Reply:
    """The weekly look back: what it is, the day now (off while the chat is not subscribed,
    naming the day that comes back with the subscription), a button per weekday and off."""
    weekday = subscriber.weekly_day if subscriber else None
    if weekday is None:
        current = content.message("weekly_off_label")
    elif subscriber is not None and not subscriber.subscribed:
        every = content.message(EVERY_KEYS[weekday])
        current = content.message("weekly_off_unsubscribed", day=every)
    else:
        current = content.message(EVERY_KEYS[weekday])
    days = [
        callback_button(content.message(key), callbacks.weekly_choice(index))
        for index, key in enumerate(DAY_KEYS)
    ]
    off = callback_button(content.buttons["weekly_off"], callbacks.weekly_choice(None))
    return Reply(
        content.message("weekly_menu", current=current),
        InlineKeyboardMarkup([days[:4], days[4:], [off]]),
    )


def weekly_set(content: Content, subscriber: Subscriber) -> Reply:
    """The answer to a weekly look back's choice (a day chosen while not subscribed comes
    once the chat subscribes, and says so)."""
    if subscriber.weekly_day is None:
        return Reply(content.message("weekly_set_off"))
    key = "weekly_set" if subscriber.subscribed else "weekly_set_unsubscribed"
    return Reply(content.message(key, day=content.message(EVERY_KEYS[subscriber.weekly_day])))


def days_menu(content: Content, subscriber: Subscriber) -> Reply:
    """The delivery days: presets, and one toggle per weekday with the chosen ones checked."""
    buttons = content.buttons
    toggles = []
    for weekday, key in enumerate(DAY_KEYS):
        name = content.message(key)
        label = content.message("day_chosen", day=name) if subscriber.days >> weekday & 1 else name
        toggles.append(callback_button(plain(label), callbacks.day_toggle(weekday)))
    rows = [
        [
            callback_button(buttons["days_every_day"], callbacks.DAYS_EVERY_DAY),
            callback_button(buttons["days_weekdays"], callbacks.DAYS_WEEKDAYS),
        ],
        toggles[:4],
        toggles[4:],
        [callback_button(buttons["settings_back"], callbacks.SETTINGS)],
    ]
    text = content.message("days_choose", days=days_label(content, subscriber.days))
    return Reply(text, InlineKeyboardMarkup(rows))


def pause_menu(content: Content) -> Reply:
    """Pause lengths as buttons, and pausing until /resume."""
    buttons = content.buttons
    presets = [
        callback_button(buttons[key], callbacks.pause_choice(n)) for n, key in PAUSE_PRESETS.items()
    ]
    rows = [
        presets,
        [callback_button(buttons["pause_until_resume"], callbacks.pause_choice(None))],
        [callback_button(buttons["settings_back"], callbacks.SETTINGS)],
    ]
    return Reply(content.message("pause_choose"), InlineKeyboardMarkup(rows))


def paused(content: Content, subscriber: Subscriber, now: datetime) -> Reply:
    """The reply to /pause: when tips come again and how to resume."""
    until = paused_until(subscriber, now)
    if until is None or until == date.max:
        return Reply(content.message("paused_until_resume"))
    return Reply(
        content.message(
            "paused_for_days", date=until.isoformat(), next=next_tip(content, subscriber, now)
        )
    )


def resumed(content: Content, subscriber: Subscriber, was_paused: bool, now: datetime) -> Reply:
    """The reply to /resume: the next tip, or that there was no pause to end."""
    key = "resumed" if was_paused else "not_paused"
    return Reply(content.message(key, next=next_tip(content, subscriber, now)))


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
    presets = [callback_button(format_time(at), callbacks.time_choice(at)) for at in PRESET_TIMES]
    rows = [presets[i : i + 3] for i in range(0, len(presets), 3)]
    rows.append([callback_button(content.buttons["settings_back"], callbacks.SETTINGS)])
    return Reply(content.message("time_choose"), InlineKeyboardMarkup(rows))


def timezone_menu(content: Content) -> Reply:
    """Preset timezones as buttons."""
    presets = [callback_button(name, callbacks.timezone_choice(name)) for name in PRESET_TIMEZONES]
    rows = [presets[i : i + 2] for i in range(0, len(presets), 2)]
    rows.append([callback_button(content.buttons["settings_back"], callbacks.SETTINGS)])
    return Reply(content.message("timezone_choose"), InlineKeyboardMarkup(rows))


def evening_usage(content: Content) -> Reply:
    """How to use /evening, naming the evening hours it accepts."""
    return Reply(
        content.message(
            "evening_usage", first=format_time(EVENING_FIRST), last=format_time(EVENING_LAST)
        )
    )


def location_offer(content: Content) -> Prompt:
    """Under /timezone's menu: share a location once, with a one-time keyboard button that
    asks Telegram for it (private chats only)."""
    button = KeyboardButton(content.buttons["location_share"], request_location=True)
    return Prompt(
        content.message("timezone_location_offer"),
        ReplyKeyboardMarkup([[button]], resize_keyboard=True, one_time_keyboard=True),
    )


def location_done(content: Content, subscriber: Subscriber | None) -> Prompt:
    """The answer to a shared location: the timezone found (or that none was), and the
    location button taken away."""
    if subscriber is None:
        return Prompt(content.message("timezone_location_unknown"), ReplyKeyboardRemove())
    return Prompt(subscription(content, "timezone_set", subscriber).text, ReplyKeyboardRemove())
