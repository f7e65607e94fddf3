"""Content and settings rendered into Telegram HTML text and inline keyboards."""

from __future__ import annotations

import difflib
import html
import statistics
import unicodedata
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    SwitchInlineQueryChosenChat,
)

from bot import callbacks
from bot.chart import NUMERIC, Dates, chinese_font_file, progress_chart, stats_chart
from content import LANGUAGES, Content, Technique, Tip
from content.markup import MAX_CAPTION_LENGTH, plain
from storage import (
    EVENING_FIRST,
    EVENING_LAST,
    MAX_SCORE,
    MIN_SCORE,
    BroadcastStatus,
    Caution,
    Decision,
    Feeling,
    Hold,
    NextTip,
    Permit,
    Progress,
    Session,
    SessionCounts,
    SessionState,
    Stats,
    Subscriber,
    compare_weeks,
    decide,
)
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
#: The settings view's line for massage: each reason it is held (``storage.rules.safety``).
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
#: How much of what a user typed is echoed back in a reply.
MAX_ECHO = 40


@dataclass(frozen=True)
class Reply:
    """A message to send or to edit into: HTML text and an optional keyboard."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None


@dataclass(frozen=True)
class Prompt:
    """A message that puts a keyboard in place of the user's (the location button), or
    takes it away again."""

    text: str
    keyboard: ReplyKeyboardMarkup | ReplyKeyboardRemove


def echo(value: str) -> str:
    """Return user input made safe to show inside an HTML reply, shortened if long.

    Control and format characters go (U+202E would turn the rest of the reply around, and
    zero-width ones hide what was typed); HTML is escaped.
    """
    value = " ".join(value.split())  # line breaks and tabs become single spaces first
    value = "".join(c for c in value if unicodedata.category(c) not in ("Cc", "Cf"))
    if len(value) > MAX_ECHO:
        value = value[: MAX_ECHO - 1] + "…"
    return html.escape(value)


def _button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data)


def callback_data_of(reply: Reply) -> list[str]:
    """The callback data of every button of ``reply``.

    Raises:
        ValueError: if any is longer than Telegram's 64 bytes.
    """
    if reply.keyboard is None:
        return []
    data = [
        str(button.callback_data)
        for row in reply.keyboard.inline_keyboard
        for button in row
        if button.callback_data is not None  # not the chat picker's button, say
    ]
    too_long = [item for item in data if len(item.encode()) > callbacks.MAX_BYTES]
    if too_long:
        raise ValueError(f"callback data over {callbacks.MAX_BYTES} bytes: {too_long}")
    return data


def private_chat_link(bot_username: str) -> str:
    """The link that opens a private chat with the bot (as a /start)."""
    return f"https://t.me/{bot_username}?start=private"


def private_only(content: Content, bot_username: str, public_commands: Iterable[str]) -> Reply:
    """In a group: this is personal, let's talk in private (a button opens it); and the
    commands that do work in the group."""
    button = InlineKeyboardButton(
        content.buttons["open_private"], url=private_chat_link(bot_username)
    )
    commands = " ".join(f"/{name}" for name in public_commands)
    return Reply(
        content.message("private_only", commands=commands), InlineKeyboardMarkup([[button]])
    )


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


def fallback(content: Content, *, warning_sign: bool) -> Reply:
    """The answer to free text or an unknown command: what the bot can do now, as buttons
    (check in, a bad day's plan, the warning signs). When the words named a warning sign,
    the warning signs themselves come first. Nothing of what was typed is shown."""
    buttons = content.buttons
    checkin_open = _button(buttons["checkin_open"], callbacks.CHECKIN_ASK)
    bad_day = _button(buttons["bad_day"], callbacks.FLARE)
    if warning_sign:
        text = f"{content.pages['urgent']}\n\n{content.message('fallback_warning')}"
        return Reply(text, InlineKeyboardMarkup([[checkin_open], [bad_day]]))
    urgent = _button(buttons["urgent"], callbacks.URGENT)
    return Reply(
        content.message("fallback"), InlineKeyboardMarkup([[checkin_open], [bad_day], [urgent]])
    )


def page(content: Content, key: str) -> Reply:
    """A long page (/safety, /benefits, /urgent, /sources) with buttons to the others: the
    evidence behind /safety and /benefits one tap away, and /urgent from every page. The
    pages of warning signs (/urgent, /safety) never offer massage techniques."""
    buttons = content.buttons
    techniques = _button(buttons["techniques"], callbacks.TECHNIQUES)
    safety = _button(buttons["safety"], callbacks.SAFETY)
    benefits = _button(buttons["benefits"], callbacks.BENEFITS)
    sources = _button(buttons["sources"], callbacks.SOURCES)
    urgent = _button(buttons["urgent"], callbacks.URGENT)
    rows = {
        "safety": [[benefits, sources], [urgent]],
        "benefits": [[techniques, safety], [sources]],
        "sources": [[safety, benefits], [urgent]],
        "urgent": [[safety]],
    }.get(key, [[techniques, safety]])
    text = sources_page(content) if key == "sources" else content.pages[key]
    return Reply(text, InlineKeyboardMarkup(rows))


def source_line(content: Content, key: str) -> str | None:
    """One entry of sources.toml as a line: "<b>name</b> (year): line"; None if unknown."""
    source = content.sources.get(key)
    if source is None:
        return None
    return content.message(
        "source_line",
        name=html.escape(source.name),
        year=html.escape(source.year),
        line=source.line,
    )


def sources_page(content: Content) -> str:
    """The /sources page with every entry of sources.toml in it, in the file's order."""
    lines = (source_line(content, key) for key in content.sources)
    return content.page("sources", sources="\n".join(line for line in lines if line))


def why(content: Content, tip_id: str) -> Reply:
    """ "Why?" under a tip: the source it comes from and a pointer to /sources; a short
    note for a tip the content no longer holds (or whose source it no longer lists)."""
    tip = content.tip(tip_id)
    source = None if tip is None else content.sources.get(tip.source)
    if source is None:
        return Reply(content.message("why_unknown"))
    return Reply(
        content.message(
            "why", name=html.escape(source.name), year=html.escape(source.year), line=source.line
        )
    )


#: The three questions in the order asked: each one's text key and what comes after it.
FIT_STEPS = {"knee": "fit_knee", "days": "fit_days", "focus": "fit_focus"}


def fit_question(content: Content, question: str) -> Reply:
    """One of the three questions (``callbacks.FIT_QUESTIONS``), an answer a button, and
    Skip."""
    buttons = content.buttons
    answers = [
        _button(buttons[f"fit_{question}_{answer}"], callbacks.fit_answer(question, answer))
        for answer in callbacks.FIT_QUESTIONS[question]
    ]
    rows = [answers[index : index + 2] for index in range(0, len(answers), 2)]
    rows.append([_button(buttons["fit_skip"], callbacks.fit_answer(question, None))])
    return Reply(content.message(FIT_STEPS[question]), InlineKeyboardMarkup(rows))


def next_fit_question(question: str) -> str | None:
    """The question after ``question``, or None after the last."""
    order = list(callbacks.FIT_QUESTIONS)
    index = order.index(question) + 1
    return order[index] if index < len(order) else None


def fit_answers(content: Content, subscriber: Subscriber) -> str:
    """How many of the three questions are answered, for /settings."""
    given = sum(
        answer in callbacks.FIT_QUESTIONS[question]
        for question, answer in (
            ("knee", subscriber.below_knee),
            ("days", subscriber.days_like),
            ("focus", subscriber.focus),
        )
    )
    return content.message("fit_some", count=str(given)) if given else content.message("fit_none")


def fit_summary(content: Content, subscriber: Subscriber) -> Reply:
    """The answers given (or skipped), with "Change" and back to the settings."""

    def label(question: str, answer: str | None) -> str:
        if answer not in callbacks.FIT_QUESTIONS[question]:
            return content.message("fit_skipped")
        return html.escape(content.buttons[f"fit_{question}_{answer}"])

    buttons = content.buttons
    return Reply(
        content.message(
            "fit_summary",
            knee=label("knee", subscriber.below_knee),
            days=label("days", subscriber.days_like),
            focus=label("focus", subscriber.focus),
        ),
        InlineKeyboardMarkup(
            [
                [
                    _button(buttons["fit_change"], callbacks.FIT),
                    _button(buttons["settings_back"], callbacks.SETTINGS),
                ]
            ]
        ),
    )


def privacy(content: Content, keep_days: int) -> Reply:
    """The /privacy page: what is stored, why, for how long (the delivery log and the
    broadcast copies: ``keep_days``, the retention window), and how to erase it."""
    return Reply(content.page("privacy", keep_days=str(keep_days)))


def delete_confirm(content: Content) -> Reply:
    """The /deletedata question, with buttons to delete everything or cancel."""
    buttons = content.buttons
    return Reply(
        content.message("delete_confirm"),
        InlineKeyboardMarkup(
            [
                [
                    _button(buttons["delete_confirm"], callbacks.DELETE_CONFIRM),
                    _button(buttons["delete_cancel"], callbacks.DELETE_CANCEL),
                ]
            ]
        ),
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


def _card_sections(content: Content, technique: Technique, permit: Permit) -> list[str]:
    """A technique's card, section by section: only for a chat the safety decision allowed
    (``permit``; see ``storage.rules.safety``)."""
    heading = content.message
    steps = "\n".join(f"{number}. {step}" for number, step in enumerate(technique.steps, start=1))
    return [
        f"<b>{technique.name}</b>\n{technique.what}",
        f"<b>{heading('technique_heading_who')}</b>\n{technique.who}",
        f"<b>{heading('technique_heading_yourself')}</b>\n{technique.on_yourself}",
        f"<b>{heading('technique_heading_steps')}</b>\n{steps}",
        f"<b>{heading('technique_heading_dose')}</b>\n{technique.dose}",
        f"<b>{heading('technique_heading_helps')}</b>\n{technique.helps}",
        f"<b>{heading('technique_heading_stop')}</b>\n{technique.stop}",
    ]


def _card_keyboard(content: Content, technique: Technique) -> InlineKeyboardMarkup:
    # "Send to my helper" opens Telegram's chat picker (people only) with this technique
    # typed after the bot's name: the helper gets the card as ``shared_technique`` has it.
    share = InlineKeyboardButton(
        content.buttons["share"],
        switch_inline_query_chosen_chat=SwitchInlineQueryChosenChat(
            query=technique.name, allow_user_chats=True
        ),
    )
    return InlineKeyboardMarkup(
        [
            [
                _button(content.buttons["back_to_list"], callbacks.TECHNIQUES),
                _button(content.buttons["safety"], callbacks.SAFETY),
            ],
            [_button(content.buttons["urgent"], callbacks.URGENT)],
            [_button(content.buttons["session_start"], callbacks.session_start(technique.id))],
            [share],
        ]
    )


def technique_card(content: Content, technique: Technique, permit: Permit) -> Reply:
    """One technique's card, with a way back to the list, the safety page and the urgent
    card, and a button to send it to a helper."""
    return Reply(
        "\n\n".join(_card_sections(content, technique, permit)),
        _card_keyboard(content, technique),
    )


def shared_technique(content: Content, technique: Technique, link: str, permit: Permit) -> str:
    """A technique's card as a helper gets it in another chat: the whole card (its stop
    rule last), who should not be massaged without asking a doctor first, the emergency
    signs, and the bot's link to the card. Nothing about whoever shared it."""
    return "\n\n".join(
        [
            *_card_sections(content, technique, permit),
            content.message("share_caution"),
            content.message("share_urgent"),
            content.message("share_link", link=html.escape(link)),
        ]
    )


def shared_caption(content: Content, technique: Technique, link: str, permit: Permit) -> str | None:
    """The same under the technique's picture, shortened to what a caption holds: its name,
    the dose, the stop rule, who should not be massaged without asking a doctor, the
    emergency signs and the link; None if even that is too long."""
    sections = _card_sections(content, technique, permit)
    caption = "\n\n".join(
        [
            f"<b>{technique.name}</b>",  # what it is: the picture shows it
            sections[4],  # the dose and the session cap
            sections[-1],  # when to stop
            content.message("share_caution"),
            content.message("share_urgent"),
            content.message("share_link", link=html.escape(link)),
        ]
    )
    return caption if len(plain(caption)) <= MAX_CAPTION_LENGTH else None


def shared_urgent(content: Content, link: str) -> str:
    """The warning signs as a helper gets them in another chat, with the bot's link."""
    return "\n\n".join(
        [content.pages["urgent"], content.message("share_urgent_link", link=html.escape(link))]
    )


def shared_matches(
    contents: Mapping[str, Content], query: str, language: str, *, chosen: bool = False
) -> list[tuple[Content, Technique]]:
    """The techniques an inline query names, in card order, each in the language it was
    named in: the language whose own name for it the query is part of (揉 finds 揉法 in
    Chinese even from an English app), else ``language``; always ``language`` when the
    user ``chosen`` it with /language. For an empty query, or one that names none, all of
    them in ``language``."""
    own = contents[language]
    wanted = " ".join(query.lower().split())
    by_name: dict[str, list[Content]] = {}  # the query is part of its name there
    by_alias: dict[str, list[Content]] = {}  # an alias, or a close spelling
    if wanted:
        for content in (own, *(c for c in contents.values() if c is not own)):
            close = find_technique(content, wanted)
            for technique in content.techniques:
                name = technique.name.lower()
                aliases = (technique.id, *technique.aliases)
                if wanted in name or name in wanted:
                    by_name.setdefault(technique.id, []).append(content)
                elif technique is close or any(wanted in a or a in wanted for a in aliases):
                    by_alias.setdefault(technique.id, []).append(content)
    matches = []
    for technique in own.techniques:
        found = by_name.get(technique.id) or by_alias.get(technique.id)
        if not (by_name or by_alias):
            found = [own]  # nothing named: offer everything
        if not found:
            continue
        content = own if chosen else found[0]  # ``own`` first when it matched at all
        named = content.technique(technique.id)
        assert named is not None  # every language has the same techniques
        matches.append((content, named))
    return matches


@dataclass(frozen=True)
class Card:
    """A technique's card under its picture: a caption and, if longer, the rest after it."""

    caption: Reply
    rest: Reply | None


def technique_captioned(content: Content, technique: Technique, permit: Permit) -> Card:
    """The card split at its sections: as many as fit in a caption (1,024 characters) go
    under the picture, with the list, safety and urgent buttons; the rest follows as a
    message with the urgent button, since the stop rule comes last."""
    sections = _card_sections(content, technique, permit)
    fitting = 0
    while fitting < len(sections) and (
        len(plain("\n\n".join(sections[: fitting + 1]))) <= MAX_CAPTION_LENGTH
    ):
        fitting += 1
    fitting = max(fitting, 1)  # name and what it is: short (tests/bot/test_render.py)
    caption = Reply("\n\n".join(sections[:fitting]), _card_keyboard(content, technique))
    if fitting == len(sections):
        return Card(caption, None)
    rest = Reply(
        "\n\n".join(sections[fitting:]),
        InlineKeyboardMarkup([[_button(content.buttons["urgent"], callbacks.URGENT)]]),
    )
    return Card(caption, rest)


def caution_check(content: Content, target: str) -> Reply:
    """The caution check with its three answers; the first two then show ``target`` (a
    technique id, or a tip from ``callbacks.caution_tip``), the third opens /urgent."""
    buttons = content.buttons
    return Reply(
        content.message("caution_check"),
        InlineKeyboardMarkup(
            [
                [
                    _button(
                        buttons["caution_none"], callbacks.caution(callbacks.CAUTION_NONE, target)
                    )
                ],
                [
                    _button(
                        buttons["caution_applies"],
                        callbacks.caution(callbacks.CAUTION_APPLIES, target),
                    )
                ],
                [_button(buttons["caution_red_flag"], callbacks.URGENT)],
            ]
        ),
    )


def doctor_first(content: Content, target: str) -> Reply:
    """The ask-a-doctor-first card shown instead of a technique or a tip about massage while
    a caution applies; "my doctor has cleared me" then shows ``target``."""
    buttons = content.buttons
    return Reply(
        content.message("caution_doctor_first"),
        InlineKeyboardMarkup(
            [
                [
                    _button(
                        buttons["caution_cleared"],
                        callbacks.caution(callbacks.CAUTION_CLEARED, target),
                    )
                ],
                [
                    _button(buttons["safety"], callbacks.SAFETY),
                    _button(buttons["urgent"], callbacks.URGENT),
                ],
            ]
        ),
    )


def massage_held(content: Content, decision: Decision, target: str | None) -> Reply:
    """What a chat sees instead of a technique, a session or a tip about massage that the
    safety decision does not allow: the caution check when it was never answered, the
    ask-a-doctor card when only a caution holds it; else every reason in words, kindly,
    with what lifts each and a button for those a press lifts, and the warning signs.
    ``target`` is what the caution check's answers go on to (a technique id,
    ``callbacks.caution_session`` or ``callbacks.caution_tip``), or None if nothing waits."""
    if target is not None and (decision.ask or decision.holds == (Hold.UNANSWERED,)):
        return caution_check(content, target)
    if target is not None and decision.holds == (Hold.CAUTION,):
        return doctor_first(content, target)
    return Reply(held_text(content, decision), _held_keyboard(content, decision, target))


def held_text(content: Content, decision: Decision) -> str:
    """Why massage is held, one line per reason with what lifts it (most serious first)."""
    lines = [content.message("massage_held_title")]
    if decision.ask:
        lines.append(content.message("massage_held_ask"))
    for hold in decision.holds:
        values = {"date": str(decision.warning_sign_on)} if hold is Hold.WARNING_SIGN else {}
        lines.append(content.message(f"massage_held_{hold.value}", **values))
    lines.append(content.message("massage_held_footer"))
    return "\n\n".join(lines)


def _held_keyboard(
    content: Content, decision: Decision, target: str | None
) -> InlineKeyboardMarkup:
    buttons = content.buttons
    rows: list[list[InlineKeyboardButton]] = []
    if Hold.WARNING_SIGN in decision.holds:
        rows.append([_button(buttons["clinician_seen"], callbacks.CLINICIAN_SEEN)])
    if Hold.CAUTION in decision.holds and target is not None:
        cleared = callbacks.caution(callbacks.CAUTION_CLEARED, target)
        rows.append([_button(buttons["caution_cleared"], cleared)])
    if Hold.UNANSWERED in decision.holds and target is not None:
        rows.append([_button(buttons["caution_take"], callbacks.caution_take(target))])
    if Hold.CHECKINS in decision.holds:
        rows.append([_button(buttons["hold_fine"], callbacks.HOLD_FINE)])
    rows.append([_button(buttons["urgent"], callbacks.URGENT)])
    return InlineKeyboardMarkup(rows)


def caution_gate(content: Content, pick: NextTip, *, daily: bool) -> Reply:
    """The caution check sent in place of a tip about massage to a chat that never answered
    it: the day's line, why it comes, and the check; an answer that allows massage then
    shows the tip (``daily``: as the daily tip, else as /tip's)."""
    check = caution_check(content, callbacks.caution_tip(pick.tip.id, daily=daily))
    parts = [content.message("caution_gate"), check.text]
    header = _tip_header(content, pick)
    if header:
        parts.insert(0, header)
    return Reply("\n\n".join(parts), check.keyboard)


def checkin(content: Content) -> Reply:
    """The /checkin question: a 0–10 button each, and a red-flag button to the urgent card."""
    scores = [
        _button(str(score), callbacks.checkin(score)) for score in range(MIN_SCORE, MAX_SCORE + 1)
    ]
    rows = [scores[:4], scores[4:8], scores[8:]]
    rows.append([_button(content.buttons["checkin_red_flag"], callbacks.CHECKIN_RED_FLAG)])
    rows.append([_button(content.buttons["bad_day"], callbacks.FLARE)])
    return Reply(content.message("checkin"), InlineKeyboardMarkup(rows))


def flare(content: Content) -> Reply:
    """A bad day's plan (no massage), with the check-in and the warning signs a tap away."""
    return Reply(
        content.pages["flare"],
        InlineKeyboardMarkup(
            [
                [_button(content.buttons["checkin_open"], callbacks.CHECKIN_ASK)],
                [_button(content.buttons["urgent"], callbacks.URGENT)],
            ]
        ),
    )


def checked_in(content: Content, score: int, rising: bool) -> Reply:
    """Thanks for a check-in, with the progress chart a tap away; on a rising trend, a line
    suggesting a clinician, that technique tips are held back, "I feel fine" and /urgent."""
    buttons = content.buttons
    text = content.message("checkin_thanks", score=str(score))
    progress = _button(buttons["progress"], callbacks.PROGRESS)
    if not rising:
        return Reply(text, InlineKeyboardMarkup([[progress]]))
    return Reply(
        f"{text}\n\n{content.message('checkin_rising')}",
        InlineKeyboardMarkup(
            [
                [_button(buttons["urgent"], callbacks.URGENT)],
                [_button(buttons["hold_fine"], callbacks.HOLD_FINE), progress],
            ]
        ),
    )


def hold_lifted(content: Content, decision: Decision) -> Reply:
    """The reply to "I feel fine": massage tips are back, with the stop rule, or, while
    something else still holds massage, that only the check-in hold is gone."""
    if decision.held:
        return Reply(content.message("hold_lifted_caution"))
    return Reply(content.message("hold_lifted"))


def clinician_seen(content: Content, decision: Decision) -> Reply:
    """The reply to "a clinician has seen me": the warning sign's hold is gone; massage is
    back with the stop rule, or what still holds it, and why."""
    text = content.message("clinician_seen")
    if not decision.held:
        return Reply(f"{text}\n\n{content.message('massage_allowed')}")
    held = massage_held(content, decision, None)
    return Reply(f"{text}\n\n{held.text}", held.keyboard)


@dataclass(frozen=True)
class Photo:
    """A picture to send, with its HTML caption and an optional keyboard."""

    image: bytes
    caption: str
    keyboard: InlineKeyboardMarkup | None = None


@dataclass(frozen=True)
class Chart:
    """A /progress chart still to send: its caption, and what it shows (``key``: equal keys,
    equal pictures), so a picture already sent can be sent again by its file id."""

    caption: str
    key: Hashable


def progress(
    content: Content, progress: Progress, sessions: SessionCounts | None = None
) -> Chart | Reply:
    """The /progress chart's caption, a one-line summary, or a friendly word when there is
    no data; with a line about guided sessions this week when there was one (counted, never
    a reproach, never days in a row: massage is at most an add-on, not a daily habit).
    Nothing is drawn here: ``progress_picture`` draws, off the event loop."""
    session_line = (
        content.message("progress_sessions", week=str(sessions.this_week))
        if sessions is not None and sessions.this_week
        else None
    )
    if not progress.checkins:
        text = content.message("progress_none")
        return Reply(
            f"{text}\n\n{session_line}" if session_line else text,
            InlineKeyboardMarkup(
                [[_button(content.buttons["checkin_open"], callbacks.CHECKIN_ASK)]]
            ),
        )
    median = statistics.median(c.score for c in progress.checkins)
    subscribed = (
        content.message("progress_not_subscribed")
        if progress.days_subscribed is None
        else content.message("progress_subscribed", days=str(progress.days_subscribed))
    )
    caption = content.message(
        "progress_summary",
        count=str(len(progress.checkins)),
        median=f"{median:g}",
        streak=str(progress.streak),
        subscribed=subscribed,
    )
    if session_line:
        caption = f"{caption}\n{session_line}"
    return Chart(caption, (content.language, progress.today, tuple(progress.checkins)))


def progress_picture(content: Content, progress: Progress) -> bytes:
    """The /progress chart as a PNG: tens of milliseconds of CPU, so run it in a thread."""
    return progress_chart(progress.checkins, progress.today, dates=chart_dates(content))


def chart_dates(content: Content) -> Dates:
    """How the charts write a date in this language ("7 Dec", "12月7日"), and the font with
    its characters (Chinese: the one /report embeds)."""

    def label(day: date) -> str:
        month = content.message(f"month_{day.month}")
        return content.message("chart_date", day=str(day.day), month=month)

    if label(date(2000, 12, 7)).isascii():
        return Dates(label)  # Pillow's own font has these letters
    font = chinese_font_file()
    return NUMERIC if font is None else Dates(label, font)


def find_technique(
    content: Content, query: str, others: Iterable[Content] = ()
) -> Technique | None:
    """Return the technique a user named, allowing any case and close misspellings, in
    ``content``'s language: a name in one of the ``others`` languages (按压 from an English
    app, "pushing" from a Chinese one) finds it too, an exact name in any language before a
    close spelling in any."""
    wanted = " ".join(query.lower().split())
    if not wanted:
        return None
    names: dict[str, str] = {}  # every name and alias, to its technique's id
    for each in (content, *(c for c in others if c is not content)):
        for technique in each.techniques:
            for name in (technique.id, technique.name.lower(), *technique.aliases):
                names.setdefault(name.lower(), technique.id)
    found = names.get(wanted)
    if found is None:
        close = difflib.get_close_matches(wanted, list(names), n=1, cutoff=0.7)
        found = names[close[0]] if close else None
    return content.technique(found) if found is not None else None


def _tip_header(content: Content, pick: NextTip) -> str | None:
    """ "Day N of 30" (naming the days passed over to reach it), the end-of-program note on
    the first tip after the program, or None once the program is done."""
    if pick.program_done:
        return None
    days = str(content.program_days)
    if pick.tip.program_day is None:
        return content.message("program_done", days=days)
    day = str(pick.tip.program_day)
    if pick.left_out is None:
        return content.message("program_day", day=day, days=days)
    first, last = pick.left_out
    left_out = (
        content.message("left_out_day", day=str(first))
        if first == last
        else content.message("left_out_days", first=str(first), last=str(last))
    )
    return content.message("program_day_left_out", day=day, days=days, left_out=left_out)


def tip_text(content: Content, pick: NextTip) -> str:
    """A tip in the content's language under its header (see ``_tip_header``); the stored
    text is the fallback if the language lacks the tip."""
    translated = content.tip(pick.tip.id)
    text = translated.text if translated else pick.tip.text
    header = _tip_header(content, pick)
    if header is None:
        return text
    gap = "\n\n" if pick.tip.program_day is None else "\n"
    return f"{header}{gap}{text}"


def daily_tip(
    content: Content, pick: NextTip, *, checkin_prompt: bool = False, day: date | None = None
) -> Reply:
    """The daily tip with its feedback buttons, the techniques and safety one tap away, the
    check-in if asked for, "Bad day", and "Later" when its local ``day`` is known; the
    caution check in its place when that comes first."""
    if pick.ask_caution:
        return caution_gate(content, pick, daily=True)
    tip = pick.tip
    rows = [
        [
            _button(content.buttons["feedback_helpful"], callbacks.feedback(True, tip.id)),
            _button(content.buttons["feedback_not"], callbacks.feedback(False, tip.id)),
        ],
        [
            _button(content.buttons["techniques"], callbacks.TECHNIQUES),
            _button(content.buttons["safety"], callbacks.SAFETY),
            _button(content.buttons["why"], callbacks.why(tip.id)),
        ],
        [_button(content.buttons["bad_day"], callbacks.FLARE)],
    ]
    if _ends_program(pick):
        rows.append([_button(content.buttons["fit"], callbacks.FIT_ASK)])
    if day is not None:
        rows[-1].append(_button(content.buttons["later"], callbacks.later(day)))
    if checkin_prompt:
        rows.insert(1, [_button(content.buttons["checkin_open"], callbacks.CHECKIN_ASK)])
    text = content.message("daily_tip", tip=tip_text(content, pick))
    return Reply(text, InlineKeyboardMarkup(rows))


def _is_feedback(data: str) -> bool:
    return data.startswith(callbacks.FEEDBACK_PREFIX) or data == callbacks.FEEDBACK_SAVED


def feedback_given(
    content: Content, keyboard: InlineKeyboardMarkup | None, helpful: bool
) -> InlineKeyboardMarkup:
    """A daily tip's keyboard after a feedback press: the two feedback buttons give way to
    a short thanks (a button too, since buttons are what the row holds); the rest stay."""
    thanks = _button(
        content.buttons["feedback_thanks_helpful" if helpful else "feedback_thanks_not"],
        callbacks.FEEDBACK_SAVED,
    )
    rows = [
        [thanks] if any(_is_feedback(str(b.callback_data)) for b in row) else list(row)
        for row in (keyboard.inline_keyboard if keyboard else ())
    ]
    return InlineKeyboardMarkup(rows or [[thanks]])


def _ends_program(pick: NextTip) -> bool:
    """The tip is the first after the program (it comes with the end-of-program note)."""
    return not pick.program_done and pick.tip.program_day is None


def tip(content: Content, pick: NextTip) -> Reply:
    """A tip asked for with /tip, with "Why?" (and the three questions on the first tip
    after the program); the caution check in its place when that comes first."""
    if pick.ask_caution:
        return caution_gate(content, pick, daily=False)
    rows = [[_button(content.buttons["why"], callbacks.why(pick.tip.id))]]
    if _ends_program(pick):
        rows.append([_button(content.buttons["fit"], callbacks.FIT_ASK)])
    return Reply(tip_text(content, pick), InlineKeyboardMarkup(rows))


def first_tip(content: Content, pick: NextTip) -> Reply:
    """Day 1, sent when someone subscribes after today's tip time (never about massage:
    the loader makes sure of it)."""
    days = str(content.program_days)
    return Reply(f"{content.message('first_tip', days=days)}\n\n{tip_text(content, pick)}")


def language_menu(content: Content) -> Reply:
    """The /language question, with a button per language (each named in its own script)."""
    return Reply(
        content.message("language_choose"),
        InlineKeyboardMarkup(
            [
                [
                    _button(content.buttons[f"language_{language}"], callbacks.language(language))
                    for language in LANGUAGES
                ]
            ]
        ),
    )


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
        _button(buttons["unsubscribe"], callbacks.SETTINGS_UNSUBSCRIBE)
        if subscriber.subscribed
        else _button(buttons["subscribe"], callbacks.SETTINGS_SUBSCRIBE)
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
    days_row = [_button(buttons["settings_days"], callbacks.DAYS_MENU)]
    if paused_until(subscriber, now) is not None:
        days_row.append(_button(buttons["resume"], callbacks.RESUME))
    elif subscriber.subscribed:
        days_row.append(_button(buttons["pause"], callbacks.PAUSE_MENU))
    checkin_toggle = (
        _button(buttons["checkin_prompt_off"], callbacks.SETTINGS_CHECKIN_OFF)
        if subscriber.checkin_prompt
        else _button(buttons["checkin_prompt_on"], callbacks.SETTINGS_CHECKIN_ON)
    )
    rows = [
        [toggle],
        [
            _button(buttons["settings_time"], callbacks.TIME_MENU),
            _button(buttons["settings_timezone"], callbacks.TIMEZONE_MENU),
        ],
        days_row,
        [checkin_toggle],
    ]
    if subscriber.hold_techniques:
        rows.append([_button(buttons["hold_fine"], callbacks.SETTINGS_HOLD_OFF)])
    if subscriber.warning_sign_on is not None:
        rows.append([_button(buttons["clinician_seen"], callbacks.CLINICIAN_SEEN)])
    rows.append([_button(buttons["weekly"], callbacks.WEEKLY_MENU)])
    rows.append([_button(buttons["fit"], callbacks.FIT)])
    rows.append([_button(buttons["caution_retake"], callbacks.CAUTION_RETAKE)])
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
        _button(content.message(key), callbacks.weekly_choice(index))
        for index, key in enumerate(DAY_KEYS)
    ]
    off = _button(content.buttons["weekly_off"], callbacks.weekly_choice(None))
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


#: A day's score as a bar, 0 to 10 (a day without a check-in is a dot).
SPARK_BARS = "▁▂▃▄▅▆▇█"


def weekly_summary(
    content: Content,
    days: Sequence[date],
    scores: Mapping[date, int],
    before: Sequence[int],
    sessions: int,
) -> Reply:
    """The weekly look back: the week's check-ins as a line of bars, their median (or the
    one score) and, with at least 3 check-ins in each week, how it compares with the week
    before in words (a change only at 2 points or more; never a reproach), the guided
    sessions, and one encouraging line. It never suggests massage."""
    lines = [content.message("weekly_title", first=str(days[0]), last=str(days[-1]))]
    week = [scores[day] for day in days if day in scores]
    spark = "".join(
        SPARK_BARS[min(scores[day] * len(SPARK_BARS) // 11, len(SPARK_BARS) - 1)]
        if day in scores
        else "·"
        for day in days
    )
    if len(week) == 1:
        lines.append(content.message("weekly_checkins_one", score=str(week[0]), spark=spark))
    elif week:
        median = statistics.median(week)
        lines.append(
            content.message(
                "weekly_checkins", count=str(len(week)), median=f"{median:g}", spark=spark
            )
        )
    else:
        lines.append(content.message("weekly_no_checkins"))
    change = compare_weeks(week, before)
    if change is not None:
        lines.append(content.message(f"weekly_trend_{change.value}"))
    if sessions:
        lines.append(content.message("weekly_sessions", count=str(sessions)))
    lines.append(content.message("weekly_cheer"))
    return Reply("\n\n".join(lines))


def days_menu(content: Content, subscriber: Subscriber) -> Reply:
    """The delivery days: presets, and one toggle per weekday with the chosen ones checked."""
    buttons = content.buttons
    toggles = []
    for weekday, key in enumerate(DAY_KEYS):
        name = content.message(key)
        label = content.message("day_chosen", day=name) if subscriber.days >> weekday & 1 else name
        toggles.append(_button(plain(label), callbacks.day_toggle(weekday)))
    rows = [
        [
            _button(buttons["days_every_day"], callbacks.DAYS_EVERY_DAY),
            _button(buttons["days_weekdays"], callbacks.DAYS_WEEKDAYS),
        ],
        toggles[:4],
        toggles[4:],
        [_button(buttons["settings_back"], callbacks.SETTINGS)],
    ]
    text = content.message("days_choose", days=days_label(content, subscriber.days))
    return Reply(text, InlineKeyboardMarkup(rows))


def pause_menu(content: Content) -> Reply:
    """Pause lengths as buttons, and pausing until /resume."""
    buttons = content.buttons
    presets = [_button(buttons[key], callbacks.pause_choice(n)) for n, key in PAUSE_PRESETS.items()]
    rows = [
        presets,
        [_button(buttons["pause_until_resume"], callbacks.pause_choice(None))],
        [_button(buttons["settings_back"], callbacks.SETTINGS)],
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
    presets = [_button(format_time(at), callbacks.time_choice(at)) for at in PRESET_TIMES]
    rows = [presets[i : i + 3] for i in range(0, len(presets), 3)]
    rows.append([_button(content.buttons["settings_back"], callbacks.SETTINGS)])
    return Reply(content.message("time_choose"), InlineKeyboardMarkup(rows))


def timezone_menu(content: Content) -> Reply:
    """Preset timezones as buttons."""
    presets = [_button(name, callbacks.timezone_choice(name)) for name in PRESET_TIMEZONES]
    rows = [presets[i : i + 2] for i in range(0, len(presets), 2)]
    rows.append([_button(content.buttons["settings_back"], callbacks.SETTINGS)])
    return Reply(content.message("timezone_choose"), InlineKeyboardMarkup(rows))


def later_ask(content: Content, day: date, options: Mapping[str, datetime], evening: time) -> Reply:
    """When to send the day's tip again: the times still to come, and no other (once the
    evening time has passed, the question does not name it)."""
    buttons = [
        _button(content.buttons[f"later_{choice}"], callbacks.later_choice(day, choice))
        for choice in ("hour", "evening")
        if choice in options
    ]
    if "evening" in options:
        text = content.message("later_ask", evening=format_time(evening))
    else:
        text = content.message("later_ask_hour")
    return Reply(text, InlineKeyboardMarkup([buttons]))


def evening_usage(content: Content) -> Reply:
    """How to use /evening, naming the evening hours it accepts."""
    return Reply(
        content.message(
            "evening_usage", first=format_time(EVENING_FIRST), last=format_time(EVENING_LAST)
        )
    )


def tip_again(
    content: Content, tip: Tip, decision: Decision, *, program_done: bool = False
) -> Reply:
    """A put-off daily tip, sent again: its text under the header it came with ("Day N of
    30" for a program tip, unless the chat had finished the program before it, as
    ``program_done`` says; the end-of-program note is not said twice) and its feedback
    buttons, nothing to put off; a tip about massage that the safety decision holds now is
    left out, and why said."""
    if tip.about_massage and decision.permit is None:
        held = massage_held(content, decision, None)
        return Reply(f"{content.message('later_held')}\n\n{held.text}", held.keyboard)
    pick = NextTip(
        tip,
        program_done=program_done or tip.program_day is None,
        permit=decision.permit if tip.about_massage else None,
    )
    again = daily_tip(content, pick)
    return Reply(f"{content.message('later_again')}\n\n{again.text}", again.keyboard)


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


def broadcast_preview(content: Content, chat_id: int, message_id: int, count: int) -> Reply:
    """The question under a broadcast's preview: send it to ``count`` subscribers, or cancel."""
    return Reply(
        content.message("broadcast_preview", count=str(count)),
        InlineKeyboardMarkup(
            [
                [
                    _button(
                        content.buttons["broadcast_send"],
                        callbacks.broadcast_confirm(chat_id, message_id),
                    ),
                    _button(content.buttons["broadcast_cancel"], callbacks.BROADCAST_CANCEL),
                ]
            ]
        ),
    )


def broadcast_progress(content: Content, broadcast_id: int, done: int, total: int) -> Reply:
    """A running broadcast's progress, with the button that cancels what is not sent yet."""
    return Reply(
        content.message("broadcast_progress", done=str(done), total=str(total)),
        InlineKeyboardMarkup(
            [[_button(content.buttons["broadcast_stop"], callbacks.broadcast_stop(broadcast_id))]]
        ),
    )


def broadcast_done(content: Content, counts: Mapping[BroadcastStatus, int]) -> str:
    """The final count of a broadcast: sent, blocked, failed, and, when there are any, how
    many were not sent because of a cancel and how many a crash left uncertain."""
    lines = [
        content.message(
            "broadcast_done",
            sent=str(counts[BroadcastStatus.SENT]),
            blocked=str(counts[BroadcastStatus.BLOCKED]),
            failed=str(counts[BroadcastStatus.FAILED]),
        )
    ]
    if counts[BroadcastStatus.CANCELLED]:
        lines.append(
            content.message(
                "broadcast_done_cancelled", cancelled=str(counts[BroadcastStatus.CANCELLED])
            )
        )
    if counts[BroadcastStatus.UNCERTAIN]:
        lines.append(
            content.message(
                "broadcast_done_uncertain", uncertain=str(counts[BroadcastStatus.UNCERTAIN])
            )
        )
    return "\n".join(lines)


#: Tips listed under /stats, most disliked first.
STATS_FEEDBACK_LINES = 15


def stats(content: Content, figures: Stats) -> tuple[Photo, Reply]:
    """/stats: the 30-day chart with the figures as its caption, and feedback per tip.

    Draws a PNG (tens of milliseconds): call it off the event loop.
    """
    people, today = figures.subscribers, figures.deliveries_today
    caption = content.message(
        "stats_summary",
        date=figures.today.isoformat(),
        active=str(people.active),
        paused=str(people.paused),
        blocked=str(people.blocked),
        sent_today=str(today.sent),
        failed_today=str(today.failed),
        blocked_today=str(today.blocked),
        sent_month=str(sum(day.sent for day in figures.days)),
        checkin_people=str(figures.checkins.active_recent),
        share=f"{figures.checkins.active_share:.0%}",
    )
    if not figures.feedback:
        details = content.message("stats_feedback_none")
    else:
        lines = [
            content.message(
                "stats_feedback_line",
                flag="⚠ " if tip.flagged else "",
                tip=html.escape(tip.tip_id),
                helpful=str(tip.helpful),
                not_helpful=str(tip.not_helpful),
            )
            for tip in figures.feedback[:STATS_FEEDBACK_LINES]
        ]
        details = "\n".join([content.message("stats_feedback_title"), *lines])
    return Photo(stats_chart(figures, chart_dates(content)), caption), Reply(details)


# Guided sessions -------------------------------------------------------------------------

#: Time left is shown rounded up to this many seconds, so the session message changes (and
#: is edited) at most this often: Telegram takes about one message a second per chat, and
#: a timer that moves every 5 seconds reads as live without using that up.
SESSION_DISPLAY_SECONDS = 5
#: The next step is named in at most this many characters.
SESSION_NEXT_LENGTH = 90


def session_pick(content: Content) -> Reply:
    """/session without a technique: what a guided session is, and one button each."""
    buttons = [_button(t.button, callbacks.session_start(t.id)) for t in content.techniques]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    return Reply(content.message("session_pick"), InlineKeyboardMarkup(rows))


def clock_text(seconds: float) -> str:
    """Seconds as m:ss, rounded up to ``SESSION_DISPLAY_SECONDS`` (0:00 only at the end)."""
    step = SESSION_DISPLAY_SECONDS
    whole = int(-(-max(seconds, 0.0) // step) * step)
    return f"{whole // 60}:{whole % 60:02d}"


def session_view(
    content: Content, technique: Technique, session: Session, now: datetime, permit: Permit
) -> Reply:
    """A running or paused session's message at ``now``: the step in bold, its time left,
    "step 2 of 5", the time left in all and what comes next, with the buttons. Only for a
    chat the safety decision allows now (``permit``)."""
    if permit.chat_id != session.chat_id:
        raise ValueError(f"session {session.id} is not chat {permit.chat_id}'s")
    timings = technique.timings
    where = session.position(timings, now)
    steps = technique.steps
    following = (
        content.message("session_next", step_text=_shortened(steps[where.step + 1]))
        if where.step + 1 < len(steps)
        else content.message("session_next_last")
    )
    text = content.message(
        "session_step",
        step_text=html.escape(plain(steps[where.step])),
        left=clock_text(where.left),
        step=str(where.step + 1),
        steps=str(len(steps)),
        technique=technique.name,
        total=clock_text(where.total_left),
        next=following,
    )
    buttons = content.buttons
    pain = [_button(buttons["session_pain"], callbacks.session_action("pain", session.id))]
    stop = _button(buttons["session_stop"], callbacks.session_action("stop", session.id))
    if session.state is SessionState.PAUSED:
        text = f"{text}\n\n{content.message('session_paused')}"
        resume = _button(buttons["session_resume"], callbacks.session_action("resume", session.id))
        rows = [[resume, stop], pain]
    else:
        pause = _button(buttons["session_pause"], callbacks.session_action("pause", session.id))
        skip = _button(buttons["session_skip"], callbacks.session_action("skip", session.id))
        rows = [[pause, skip], [stop], pain]
    return Reply(text, InlineKeyboardMarkup(rows))


def _shortened(step: str) -> str:
    text = " ".join(plain(step).split())
    if len(text) > SESSION_NEXT_LENGTH:
        text = text[: SESSION_NEXT_LENGTH - 1].rstrip() + "…"
    return html.escape(text)


def session_done(content: Content, technique: Technique, session: Session) -> Reply:
    """The end of a session: "how did that feel?" with three answers."""
    buttons = content.buttons
    answers = [
        _button(buttons[f"session_{feeling}"], callbacks.session_feeling(session.id, feeling))
        for feeling in ("better", "same", "worse")
    ]
    return Reply(
        content.message("session_done", technique=technique.name), InlineKeyboardMarkup([answers])
    )


def session_felt(content: Content, feeling: Feeling) -> Reply:
    """The answer to how it felt: "worse" says to stop for today, when to see a clinician,
    and puts the warning signs one tap away."""
    text = content.message(f"session_felt_{feeling.value}")
    if feeling is not Feeling.WORSE:
        return Reply(text)
    return Reply(
        text, InlineKeyboardMarkup([[_button(content.buttons["urgent"], callbacks.URGENT)]])
    )


def session_stopped(
    content: Content, technique: Technique, session: Session, now: datetime
) -> Reply:
    """A session the user stopped: where it stopped, and that stopping is fine."""
    where = session.position(technique.timings, now)
    return Reply(
        content.message(
            "session_stopped", step=str(where.step + 1), steps=str(len(technique.steps))
        )
    )
