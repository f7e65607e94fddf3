"""Callback data carried by inline buttons: short, stable, and at most 64 bytes; and the
payloads of the bot's deep links (https://t.me/<bot>?start=<payload>), built and parsed
here too."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time

from storage import MAX_SCORE, MIN_SCORE, BelowKnee, DaysLike, Focus, schedule

TECHNIQUES = "tech"
TECHNIQUE_PREFIX = "tech:"
SAFETY = "page:safety"
BENEFITS = "page:benefits"
URGENT = "page:urgent"
SOURCES = "page:sources"
SUBSCRIBE = "sub:on"
#: The check-in's warning-signs button: noted for /report, then the urgent card.
CHECKIN_RED_FLAG = "checkin:flag"
#: "Bad day": the plan for a flare, under the daily tip and the check-in question.
FLARE = "flare"
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
#: The caution check's answers carry what to show next: a technique ("caution:none:kneading"),
#: a guided session of one, "s." + its id ("caution:none:s.kneading"), or the tip the check
#: came in place of, "d." + its id for the daily tip and "t." + its id for /tip
#: ("caution:none:d.technique_kneading").
CAUTION_PREFIX = "caution:"
CAUTION_DAILY_TIP = "d."
CAUTION_TIP = "t."
CAUTION_SESSION = "s."
CAUTION_NONE = "none"
CAUTION_APPLIES = "applies"
CAUTION_CLEARED = "cleared"
CAUTION_RETAKE = "caution:retake"
#: On a held card: show the caution check, then what it was for ("safety:check:kneading").
CAUTION_TAKE_PREFIX = "safety:check:"
#: "A clinician has seen me": lifts the hold a reported warning sign set.
CLINICIAN_SEEN = "safety:seen"
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
#: Cancel a running broadcast, from its progress message: "bc:stop:<broadcast id>".
BROADCAST_STOP_PREFIX = "bc:stop:"

#: Regular expressions for CallbackQueryHandler, one per family.
TECHNIQUE_PATTERN = r"^tech(:[a-z][a-z0-9_]*)?$"
PAGE_PATTERN = r"^page:(safety|benefits|urgent|sources)$"
SUBSCRIBE_PATTERN = r"^sub:on$"
SETTINGS_PATTERN = (
    r"^set(:sub:(on|off)|:ci:(on|off)|:hold:off|:time(:\d{4})?|:tz(:[A-Za-z0-9_+/:-]{1,50})?)?$"
)
DAYS_PATTERN = r"^set:(days(:(all|wk))?|day:[0-6])$"
PAUSE_PATTERN = r"^set:(pause(:(\d{1,3}|max))?|resume)$"
DELETE_PATTERN = r"^del:(yes|no)$"
CAUTION_PATTERN = r"^caution:((none|applies|cleared):([dts]\.)?[a-z][a-z0-9_]*|retake)$"
SAFETY_STATE_PATTERN = r"^safety:(seen|check:([dts]\.)?[a-z][a-z0-9_]*)$"
CHECKIN_PATTERN = r"^checkin:([0-9]|10)$"
CHECKIN_ASK_PATTERN = r"^checkin:ask$"
HOLD_PATTERN = r"^hold:fine$"
PROGRESS_PATTERN = r"^progress$"
FLARE_PATTERN = r"^flare$"
RED_FLAG_PATTERN = r"^checkin:flag$"
#: "Later" under a daily tip (its local date), and the choices it offers.
#: The weekly look back's menu, and its choices (a weekday, Monday = 0, or off).
WEEKLY_MENU = "weekly"
WEEKLY_PATTERN = r"^weekly(:([0-6]|off))?$"
LATER_PATTERN = r"^later:\d{4}-\d{2}-\d{2}(:(hour|evening))?$"
LANGUAGE_PATTERN = r"^lang:[a-z]{2}$"
FEEDBACK_PATTERN = r"^(fb:[01]:[a-z][a-z0-9_]{1,40}|fbok)$"
BROADCAST_PATTERN = r"^bc:(go:-?\d{1,20}:\d{1,12}|no|stop:\d{1,12})$"
#: A guided session: start one of a technique ("chat": in the chat, where "go" may offer
#: the Mini App first), act on a running one (by its id, so a button of an earlier session
#: cannot touch a later one), or say how it felt.
SESSION_PATTERN = (
    r"^ses:((go|chat):[a-z][a-z0-9_]*|(pause|resume|skip|stop|pain):\d{1,12}"
    r"|feel:\d{1,12}:(better|same|worse))$"
)
SESSION_ACTIONS = ("pause", "resume", "skip", "stop", "pain")

#: The three questions that fit the tips to the person: "fit" opens the first in the
#: message pressed (from /settings), "fit:ask" in a new message (under a tip); an answer
#: is "fit:<question>:<value>", or "fit:<question>:skip".
FIT = "fit"
FIT_ASK = "fit:ask"
FIT_SKIP = "skip"
#: Each question's short name in the data, and its answers, in the order asked.
FIT_QUESTIONS: dict[str, tuple[str, ...]] = {
    "knee": tuple(answer.value for answer in BelowKnee),
    "days": tuple(answer.value for answer in DaysLike),
    "focus": tuple(answer.value for answer in Focus),
}
FIT_PATTERN = (
    r"^fit(:ask|"
    + "|".join(
        f":{question}:({'|'.join((*answers, FIT_SKIP))})"
        for question, answers in FIT_QUESTIONS.items()
    )
    + ")?$"
)
#: "Why?" under a daily tip: where it comes from, "why:<tip id>".
WHY_PREFIX = "why:"
WHY_PATTERN = r"^why:[a-z][a-z0-9_]{1,40}$"

MAX_BYTES = 64


def technique(technique_id: str) -> str:
    """Data for the button that opens one technique's card."""
    return _checked(TECHNIQUE_PREFIX + technique_id)


def parse_technique(data: str) -> str:
    """The technique id of a technique button's data (not ``TECHNIQUES``)."""
    return data.removeprefix(TECHNIQUE_PREFIX)


#: The urgent card's deep link: https://t.me/<bot>?start=urgent
URGENT_LINK = "urgent"
#: A technique's deep link: https://t.me/<bot>?start=technique-kneading
TECHNIQUE_LINK_PREFIX = "technique-"
#: What Telegram allows in a start payload: 1-64 of these characters.
_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")


def start_link(username: str, payload: str) -> str:
    """The link that opens the bot's chat and sends ``/start <payload>``."""
    if not _PAYLOAD.fullmatch(payload):
        raise ValueError(f"not a start payload: {payload!r}")
    return f"https://t.me/{username}?start={payload}"


def technique_link(username: str, technique_id: str) -> str:
    """The deep link to one technique's card."""
    return start_link(username, TECHNIQUE_LINK_PREFIX + technique_id)


def parse_technique_link(payload: str) -> str | None:
    """The technique id in a start payload, or None if it is not a technique's link."""
    if not payload.startswith(TECHNIQUE_LINK_PREFIX):
        return None
    return payload.removeprefix(TECHNIQUE_LINK_PREFIX) or None


def time_choice(at: time) -> str:
    """Data for a preset-time button: "set:time:0730"."""
    return _checked(f"{TIME_PREFIX}{at:%H%M}")


def parse_time_choice(data: str) -> time | None:
    """The time of a preset-time button's data, or None if it is not a time of day."""
    hhmm = data.removeprefix(TIME_PREFIX)
    return schedule.parse_time(f"{hhmm[:2]}:{hhmm[2:]}") if len(hhmm) == 4 else None


def timezone_choice(name: str) -> str:
    """Data for a preset-timezone button."""
    return _checked(TIMEZONE_PREFIX + name)


def parse_timezone_choice(data: str) -> str | None:
    """The timezone of a preset-timezone button's data, or None if it is not one."""
    return schedule.parse_timezone(data.removeprefix(TIMEZONE_PREFIX))


def day_toggle(weekday: int) -> str:
    """Data for the button that adds or removes one weekday (Monday = 0)."""
    return _checked(f"{DAY_PREFIX}{weekday}")


def parse_day_toggle(data: str) -> int:
    """The weekday (Monday = 0) of a day button's data that matched ``DAYS_PATTERN``."""
    return int(data.removeprefix(DAY_PREFIX))


def pause_choice(days: int | None) -> str:
    """Data for a pause button: ``days`` local days, or None for until /resume."""
    return _checked(PAUSE_PREFIX + (PAUSE_UNTIL_RESUME if days is None else str(days)))


def parse_pause_choice(data: str) -> tuple[bool, int | None]:
    """A pause button's choice: (True, None) until /resume, (True, days) for 1 to 365
    days, and (False, None) for anything else (a forged press)."""
    choice = data.removeprefix(PAUSE_PREFIX)
    if choice == PAUSE_UNTIL_RESUME:
        return True, None
    days = schedule.parse_pause_days(choice)
    return days is not None, days


def caution(answer: str, target: str) -> str:
    """Data for a caution-check answer (``CAUTION_NONE`` etc.) that then shows ``target``:
    a technique id, or a tip from ``caution_tip``."""
    return _checked(f"{CAUTION_PREFIX}{answer}:{target}")


def caution_session(technique_id: str) -> str:
    """The target of a caution check asked before a guided session of ``technique_id``."""
    return CAUTION_SESSION + technique_id


def caution_take(target: str) -> str:
    """Data for "Take the safety check" on a held card: the check, then ``target``."""
    return _checked(CAUTION_TAKE_PREFIX + target)


def caution_tip(tip_id: str, *, daily: bool) -> str:
    """The target of a caution check sent in place of a tip: the daily tip or /tip's."""
    return (CAUTION_DAILY_TIP if daily else CAUTION_TIP) + tip_id


@dataclass(frozen=True)
class CautionAnswer:
    """A pressed caution-check answer, parsed from data that matched ``CAUTION_PATTERN``."""

    answer: str
    #: What the press should show next, as it came (for the buttons that follow).
    target: str
    #: The technique to open, or None when the target is a tip.
    technique_id: str | None
    #: The tip the check came in place of, or None when the target is a technique.
    tip_id: str | None
    #: That tip was the daily tip (else /tip's).
    daily: bool
    #: The technique is to start as a guided session, not to open as a card.
    session: bool = False


def parse_caution(data: str) -> CautionAnswer:
    """Split a caution answer's data (not ``CAUTION_RETAKE``) into its parts."""
    answer, _, target = data.removeprefix(CAUTION_PREFIX).partition(":")
    for prefix in (CAUTION_DAILY_TIP, CAUTION_TIP):
        if target.startswith(prefix):
            tip_id = target.removeprefix(prefix)
            return CautionAnswer(answer, target, None, tip_id, prefix == CAUTION_DAILY_TIP)
    if target.startswith(CAUTION_SESSION):
        return CautionAnswer(
            answer, target, target.removeprefix(CAUTION_SESSION), None, False, True
        )
    return CautionAnswer(answer, target, target, None, False)


def checkin(score: int) -> str:
    """Data for the button that records pain score ``score`` (0–10)."""
    return _checked(f"{CHECKIN_PREFIX}{score}")


def parse_checkin(data: str) -> int | None:
    """The score of a check-in button's data, or None unless 0 to 10 (a forged press)."""
    value = data.removeprefix(CHECKIN_PREFIX)
    if not (value.isascii() and value.isdigit() and MIN_SCORE <= int(value) <= MAX_SCORE):
        return None
    return int(value)


def language(code: str) -> str:
    """Data for the button that switches to language ``code``."""
    return _checked(LANGUAGE_PREFIX + code)


def parse_language(data: str) -> str:
    """The language code of a language button's data (not yet checked against LANGUAGES)."""
    return data.removeprefix(LANGUAGE_PREFIX)


def feedback(helpful: bool, tip_id: str) -> str:
    """Data for a feedback button under the daily tip ``tip_id``."""
    return _checked(f"{FEEDBACK_PREFIX}{int(helpful)}:{tip_id}")


def parse_feedback(data: str) -> tuple[bool, str]:
    """Whether a feedback button's data says helpful, and its tip id."""
    value, _, tip_id = data.removeprefix(FEEDBACK_PREFIX).partition(":")
    return value == "1", tip_id


def broadcast_confirm(chat_id: int, message_id: int) -> str:
    """Data for the button that sends the previewed message ``message_id`` of ``chat_id``."""
    return _checked(f"{BROADCAST_CONFIRM_PREFIX}{chat_id}:{message_id}")


def broadcast_stop(broadcast_id: int) -> str:
    """Data for the button that cancels running broadcast ``broadcast_id``."""
    return _checked(f"{BROADCAST_STOP_PREFIX}{broadcast_id}")


def parse_broadcast_stop(data: str) -> int:
    """The broadcast id of a cancel button's data that matched the pattern."""
    return int(data.removeprefix(BROADCAST_STOP_PREFIX))


def parse_broadcast_confirm(data: str) -> tuple[int, int]:
    """The chat id and message id of a confirm button's data that matched the pattern."""
    chat_id, _, message_id = data.removeprefix(BROADCAST_CONFIRM_PREFIX).partition(":")
    return int(chat_id), int(message_id)


def _checked(data: str) -> str:
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def session_start(technique_id: str) -> str:
    """Data for the button that starts a guided session of a technique."""
    return _checked(f"ses:go:{technique_id}")


def session_in_chat(technique_id: str) -> str:
    """Data for the button that starts a guided session of a technique in the chat, never
    offering the Mini App."""
    return _checked(f"ses:chat:{technique_id}")


def session_action(action: str, session_id: int) -> str:
    """Data for a button on a running session (one of ``SESSION_ACTIONS``)."""
    if action not in SESSION_ACTIONS:
        raise ValueError(f"not a session action: {action!r}")
    return _checked(f"ses:{action}:{session_id}")


def session_feeling(session_id: int, feeling: str) -> str:
    """Data for a "how did that feel?" answer."""
    return _checked(f"ses:feel:{session_id}:{feeling}")


@dataclass(frozen=True)
class SessionPress:
    """A pressed session button: start (``technique_id``; ``in_chat``: there, not offering
    the Mini App), an action on ``session_id``, or a ``feeling`` about it."""

    technique_id: str | None = None
    in_chat: bool = False
    action: str | None = None
    session_id: int | None = None
    feeling: str | None = None


def parse_session(data: str) -> SessionPress:
    """A session button's data that matched ``SESSION_PATTERN``."""
    _, kind, rest = data.split(":", 2)
    if kind in ("go", "chat"):
        return SessionPress(technique_id=rest, in_chat=kind == "chat")
    if kind == "feel":
        session_id, feeling = rest.split(":")
        return SessionPress(session_id=int(session_id), feeling=feeling)
    return SessionPress(action=kind, session_id=int(rest))


def later(day: date) -> str:
    """Data for "Later" under the daily tip of local date ``day``."""
    return _checked(f"later:{day.isoformat()}")


def later_choice(day: date, choice: str) -> str:
    """Data for one of the times "Later" offers ("hour" or "evening")."""
    return _checked(f"later:{day.isoformat()}:{choice}")


def parse_later(data: str) -> tuple[date, str | None] | None:
    """The tip's date and the chosen time (None: not chosen yet) of data that matched
    ``LATER_PATTERN``; None if the date is not a real one."""
    parts = data.split(":")
    try:
        day = date.fromisoformat(parts[1])
    except ValueError:
        return None
    return day, parts[2] if len(parts) > 2 else None


def weekly_choice(weekday: int | None) -> str:
    """Data for a weekly look back's day (Monday = 0), or None for off."""
    return _checked(f"weekly:{'off' if weekday is None else weekday}")


def parse_weekly(data: str) -> tuple[bool, int | None]:
    """Data that matched ``WEEKLY_PATTERN``: (chosen, weekday); (False, None) for the menu."""
    if data == WEEKLY_MENU:
        return False, None
    choice = data.split(":")[1]
    return True, None if choice == "off" else int(choice)


def fit_answer(question: str, answer: str | None) -> str:
    """Data for an answer to one of ``FIT_QUESTIONS`` (None: skip)."""
    if question not in FIT_QUESTIONS or answer not in (*FIT_QUESTIONS[question], None):
        raise ValueError(f"not an answer to {question!r}: {answer!r}")
    return _checked(f"{FIT}:{question}:{answer or FIT_SKIP}")


def parse_fit(data: str) -> tuple[str, str | None] | None:
    """The question and answer (None: skipped) of data that matched ``FIT_PATTERN``, or
    None for "fit" and "fit:ask" (which only open the first question)."""
    parts = data.split(":")
    if len(parts) != 3 or parts[1] not in FIT_QUESTIONS:
        return None
    answer = parts[2]
    if answer != FIT_SKIP and answer not in FIT_QUESTIONS[parts[1]]:
        return None
    return parts[1], None if answer == FIT_SKIP else answer


def why(tip_id: str) -> str:
    """Data for "Why?" under the tip ``tip_id``."""
    return _checked(WHY_PREFIX + tip_id)


def parse_why(data: str) -> str:
    """The tip id of a "Why?" button's data that matched ``WHY_PATTERN``."""
    return data.removeprefix(WHY_PREFIX)
