"""Callback data carried by inline buttons: short, stable, and at most 64 bytes."""

from __future__ import annotations

TECHNIQUES = "tech"
TECHNIQUE_PREFIX = "tech:"
SAFETY = "page:safety"
BENEFITS = "page:benefits"
URGENT = "page:urgent"
SUBSCRIBE = "sub:on"
SETTINGS = "set"
SETTINGS_SUBSCRIBE = "set:sub:on"
SETTINGS_UNSUBSCRIBE = "set:sub:off"
TIME_MENU = "set:time"
TIME_PREFIX = "set:time:"
TIMEZONE_MENU = "set:tz"
TIMEZONE_PREFIX = "set:tz:"
DAYS_MENU = "set:days"
DAYS_EVERY_DAY = "set:days:all"
DAYS_WEEKDAYS = "set:days:wk"
DAY_PREFIX = "set:day:"
PAUSE_MENU = "set:pause"
PAUSE_PREFIX = "set:pause:"
#: The pause choice that lasts until /resume (the others carry a number of days).
PAUSE_UNTIL_RESUME = "max"
RESUME = "set:resume"
DELETE_CONFIRM = "del:yes"
DELETE_CANCEL = "del:no"
#: The caution check's answers carry the technique to open next: "caution:none:kneading".
CAUTION_PREFIX = "caution:"
CAUTION_NONE = "none"
CAUTION_APPLIES = "applies"
CAUTION_CLEARED = "cleared"
CAUTION_RETAKE = "caution:retake"
#: A pain check-in score, 0–10: "checkin:7". The red-flag answer is the URGENT button.
CHECKIN_PREFIX = "checkin:"
#: The check-in button under a daily tip: asks the question.
CHECKIN_ASK = "checkin:ask"
#: "I feel fine": technique tips come again (under the rising-trend message).
HOLD_FINE = "hold:fine"
PROGRESS = "progress"
#: The same from /settings, which then shows the settings again.
SETTINGS_CHECKIN_ON = "set:ci:on"
SETTINGS_CHECKIN_OFF = "set:ci:off"
SETTINGS_HOLD_OFF = "set:hold:off"
#: A language button: "lang:zh".
LANGUAGE_PREFIX = "lang:"
#: Feedback on a daily tip: "fb:1:stay_active" (helpful) or "fb:0:stay_active" (not for me).
FEEDBACK_PREFIX = "fb:"
#: The thanks that replaces them; a press only says the answer is saved.
FEEDBACK_SAVED = "fbok"
#: An operator's broadcast: confirm carries the previewed message, "bc:go:<chat>:<message>".
BROADCAST_CONFIRM_PREFIX = "bc:go:"
BROADCAST_CANCEL = "bc:no"

#: Regular expressions for CallbackQueryHandler, one per family.
TECHNIQUE_PATTERN = r"^tech(:[a-z][a-z0-9_]*)?$"
PAGE_PATTERN = r"^page:(safety|benefits|urgent)$"
SUBSCRIBE_PATTERN = r"^sub:on$"
SETTINGS_PATTERN = (
    r"^set(:sub:(on|off)|:ci:(on|off)|:hold:off|:time(:\d{4})?|:tz(:[A-Za-z0-9_+/:-]{1,50})?)?$"
)
DAYS_PATTERN = r"^set:(days(:(all|wk))?|day:[0-6])$"
PAUSE_PATTERN = r"^set:(pause(:(\d{1,3}|max))?|resume)$"
DELETE_PATTERN = r"^del:(yes|no)$"
CAUTION_PATTERN = r"^caution:((none|applies|cleared):[a-z][a-z0-9_]*|retake)$"
CHECKIN_PATTERN = r"^checkin:([0-9]|10)$"
CHECKIN_ASK_PATTERN = r"^checkin:ask$"
HOLD_PATTERN = r"^hold:fine$"
PROGRESS_PATTERN = r"^progress$"
LANGUAGE_PATTERN = r"^lang:[a-z]{2}$"
FEEDBACK_PATTERN = r"^(fb:[01]:[a-z][a-z0-9_]{1,40}|fbok)$"
BROADCAST_PATTERN = r"^bc:(go:-?\d{1,20}:\d{1,12}|no)$"

MAX_BYTES = 64


def technique(technique_id: str) -> str:
    """Data for the button that opens one technique's card."""
    return _checked(TECHNIQUE_PREFIX + technique_id)


def time_choice(hhmm: str) -> str:
    """Data for a preset-time button; ``hhmm`` like "0730"."""
    return _checked(TIME_PREFIX + hhmm)


def timezone_choice(name: str) -> str:
    """Data for a preset-timezone button."""
    return _checked(TIMEZONE_PREFIX + name)


def day_toggle(weekday: int) -> str:
    """Data for the button that adds or removes one weekday (Monday = 0)."""
    return _checked(f"{DAY_PREFIX}{weekday}")


def pause_choice(days: int | None) -> str:
    """Data for a pause button: ``days`` local days, or None for until /resume."""
    return _checked(PAUSE_PREFIX + (PAUSE_UNTIL_RESUME if days is None else str(days)))


def caution(answer: str, technique_id: str) -> str:
    """Data for a caution-check answer (``CAUTION_NONE`` etc.) that then opens a technique."""
    return _checked(f"{CAUTION_PREFIX}{answer}:{technique_id}")


def checkin(score: int) -> str:
    """Data for the button that records pain score ``score`` (0–10)."""
    return _checked(f"{CHECKIN_PREFIX}{score}")


def language(code: str) -> str:
    """Data for the button that switches to language ``code``."""
    return _checked(LANGUAGE_PREFIX + code)


def feedback(helpful: bool, tip_id: str) -> str:
    """Data for a feedback button under the daily tip ``tip_id``."""
    return _checked(f"{FEEDBACK_PREFIX}{int(helpful)}:{tip_id}")


def broadcast_confirm(chat_id: int, message_id: int) -> str:
    """Data for the button that sends the previewed message ``message_id`` of ``chat_id``."""
    return _checked(f"{BROADCAST_CONFIRM_PREFIX}{chat_id}:{message_id}")


def _checked(data: str) -> str:
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data
