"""Load a language's TOML files into frozen, validated objects."""

from __future__ import annotations

import re
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from importlib.resources.abc import Traversable
from types import MappingProxyType
from typing import Any

from content import markup

DEFAULT_LANGUAGE = "en"
#: Every language the bot speaks; each has a folder of the same files with the same keys.
LANGUAGES = ("en", "zh")

#: Each message the bot sends, with exactly the placeholders the bot fills in.
TEXT_PLACEHOLDERS: Mapping[str, frozenset[str]] = {
    "welcome": frozenset(),
    "help": frozenset(),
    "technique_list": frozenset(),
    "technique_unknown": frozenset({"name"}),
    "technique_heading_who": frozenset(),
    "technique_heading_yourself": frozenset(),
    "technique_heading_steps": frozenset(),
    "technique_heading_dose": frozenset(),
    "technique_heading_helps": frozenset(),
    "technique_heading_stop": frozenset(),
    "caution_check": frozenset(),
    "caution_doctor_first": frozenset(),
    "caution_gate": frozenset(),
    "checkin": frozenset(),
    "checkin_thanks": frozenset({"score"}),
    "checkin_rising": frozenset(),
    "hold_lifted": frozenset(),
    "hold_lifted_caution": frozenset(),
    "progress_none": frozenset(),
    "progress_summary": frozenset({"count", "median", "streak", "subscribed"}),
    "progress_subscribed": frozenset({"days"}),
    "progress_not_subscribed": frozenset(),
    "subscribed": frozenset({"time", "timezone"}),
    "already_subscribed": frozenset({"time", "timezone"}),
    "unsubscribed": frozenset({"time", "timezone"}),
    "not_subscribed": frozenset({"time", "timezone"}),
    "first_tip": frozenset({"days"}),
    "first_tip_later": frozenset({"days", "next"}),
    "program_day": frozenset({"day", "days"}),
    "program_day_left_out": frozenset({"day", "days", "left_out"}),
    "left_out_day": frozenset({"day"}),
    "left_out_days": frozenset({"first", "last"}),
    "program_done": frozenset({"days"}),
    "language_choose": frozenset(),
    "language_set": frozenset(),
    "settings": frozenset(
        {
            "status",
            "days",
            "pause",
            "time",
            "timezone",
            "next",
            "techniques",
            "checkin",
            "caution",
            "fit",
        }
    ),
    "status_on": frozenset(),
    "status_off": frozenset(),
    "next_today": frozenset({"time"}),
    "next_tomorrow": frozenset({"time"}),
    "next_date": frozenset({"date", "time"}),
    "next_tip_none": frozenset(),
    "next_tip_paused": frozenset(),
    "next_tip_set_aside": frozenset(),
    "techniques_on": frozenset(),
    "techniques_ask": frozenset(),
    "techniques_held": frozenset(),
    "techniques_held_unanswered": frozenset(),
    "techniques_held_caution": frozenset(),
    "checkin_prompt_on": frozenset(),
    "checkin_prompt_off": frozenset(),
    "caution_not_taken": frozenset(),
    "caution_state_asked": frozenset(),
    "caution_state_none": frozenset(),
    "caution_state_applies": frozenset(),
    "caution_state_cleared": frozenset(),
    "days_every_day": frozenset(),
    "days_weekdays": frozenset(),
    "day_mon": frozenset(),
    "day_tue": frozenset(),
    "day_wed": frozenset(),
    "day_thu": frozenset(),
    "day_fri": frozenset(),
    "day_sat": frozenset(),
    "day_sun": frozenset(),
    "days_separator": frozenset(),
    "every_mon": frozenset(),
    "every_tue": frozenset(),
    "every_wed": frozenset(),
    "every_thu": frozenset(),
    "every_fri": frozenset(),
    "every_sat": frozenset(),
    "every_sun": frozenset(),
    "day_chosen": frozenset({"day"}),
    "days_choose": frozenset({"days"}),
    "pause_none": frozenset(),
    "pause_until": frozenset({"date"}),
    "pause_until_resume": frozenset(),
    "pause_usage": frozenset(),
    "pause_not_subscribed": frozenset(),
    "paused_for_days": frozenset({"date", "next"}),
    "paused_until_resume": frozenset(),
    "pause_choose": frozenset(),
    "resumed": frozenset({"next"}),
    "not_paused": frozenset({"next"}),
    "time_set": frozenset({"time", "timezone"}),
    "time_set_next": frozenset({"time", "timezone", "next"}),
    "time_usage": frozenset(),
    "time_choose": frozenset(),
    "timezone_set": frozenset({"time", "timezone"}),
    "timezone_usage": frozenset(),
    "timezone_unknown": frozenset({"value", "usage"}),
    "timezone_choose": frozenset(),
    "daily_tip": frozenset({"tip"}),
    "delete_confirm": frozenset(),
    "deleted": frozenset(),
    "delete_cancelled": frozenset(),
    "stats_summary": frozenset(
        {
            "date",
            "active",
            "paused",
            "blocked",
            "sent_today",
            "failed_today",
            "blocked_today",
            "sent_month",
            "checkin_people",
            "share",
        }
    ),
    "stats_feedback_title": frozenset(),
    "stats_feedback_line": frozenset({"flag", "tip", "helpful", "not_helpful"}),
    "stats_feedback_none": frozenset(),
    "broadcast_usage": frozenset(),
    "broadcast_preview": frozenset({"count"}),
    "broadcast_progress": frozenset({"done", "total"}),
    "broadcast_done": frozenset({"sent", "blocked", "failed"}),
    "broadcast_done_cancelled": frozenset({"cancelled"}),
    "broadcast_done_uncertain": frozenset({"uncertain"}),
    "broadcast_cancelled": frozenset(),
    "fallback": frozenset(),
    "fallback_warning": frozenset(),
    "error": frozenset(),
    "busy": frozenset(),
    "private_only": frozenset({"commands"}),
    "slow_down": frozenset(),
    "share_urgent": frozenset(),
    "share_link": frozenset({"link"}),
    "share_urgent_link": frozenset({"link"}),
    "session_step": frozenset({"step_text", "left", "step", "steps", "technique", "total", "next"}),
    "session_next": frozenset({"step_text"}),
    "session_next_last": frozenset(),
    "session_paused": frozenset(),
    "session_pick": frozenset(),
    "session_already": frozenset(),
    "session_offer": frozenset({"technique"}),
    "session_done": frozenset({"technique"}),
    "session_felt_better": frozenset(),
    "session_felt_same": frozenset(),
    "session_felt_worse": frozenset(),
    "session_stopped": frozenset({"step", "steps"}),
    "session_pain_stop": frozenset(),
    "session_ended": frozenset(),
    "progress_sessions": frozenset({"week"}),
    "mydata_caption": frozenset(),
    "mydata_empty": frozenset(),
    "export_caption": frozenset(),
    "export_empty": frozenset(),
    "techniques_held_flare": frozenset(),
    "report_caption": frozenset({"days"}),
    "report_usage": frozenset(),
    "report_title": frozenset({"start", "end"}),
    "report_note": frozenset(),
    "report_chart": frozenset(),
    "report_weeks": frozenset(),
    "report_col_week": frozenset(),
    "report_col_median": frozenset(),
    "report_col_range": frozenset(),
    "report_no_checkins": frozenset(),
    "report_sessions": frozenset({"count"}),
    "report_sessions_none": frozenset(),
    "report_felt_better": frozenset(),
    "report_felt_same": frozenset(),
    "report_felt_worse": frozenset(),
    "report_felt_none": frozenset(),
    "report_session_stopped": frozenset(),
    "report_session_pain_stop": frozenset(),
    "report_session_ended": frozenset(),
    "report_more": frozenset({"count"}),
    "report_caution": frozenset({"state"}),
    "report_generated": frozenset({"date"}),
    "report_empty": frozenset({"days"}),
    "report_chart_median": frozenset({"median", "count"}),
    "report_chart_single": frozenset({"score"}),
    "report_median": frozenset({"median", "count"}),
    "report_weeks_earlier": frozenset({"count"}),
    "report_months": frozenset(),
    "report_day": frozenset({"day", "month"}),
    "report_days_same_month": frozenset({"first", "last", "month", "count"}),
    "report_days_range": frozenset({"first", "last", "count"}),
    "report_separator": frozenset(),
    "report_session_outcomes": frozenset(
        {"done", "better", "same", "worse", "unanswered", "stopped", "pain_stop", "ended"}
    ),
    "report_sessions_newest": frozenset(),
    "report_session_line": frozenset({"date", "technique", "outcome"}),
    "report_red_flags_many": frozenset({"count", "first", "last", "dates"}),
    "report_caution_not_taken": frozenset(),
    "report_caution_asked": frozenset(),
    "report_caution_none": frozenset(),
    "report_caution_applies": frozenset(),
    "report_caution_cleared": frozenset(),
    "timezone_location_offer": frozenset(),
    "timezone_location_unknown": frozenset(),
    "report_red_flags": frozenset({"dates"}),
    "report_red_flags_none": frozenset(),
    "later_ask": frozenset({"evening"}),
    "later_ask_hour": frozenset(),
    "later_set": frozenset({"time"}),
    "later_once": frozenset(),
    "later_again": frozenset(),
    "evening_set": frozenset({"time"}),
    "evening_usage": frozenset({"first", "last"}),
    "weekly_menu": frozenset({"current"}),
    "weekly_off_label": frozenset(),
    "weekly_off_unsubscribed": frozenset({"day"}),
    "weekly_set": frozenset({"day"}),
    "weekly_set_off": frozenset(),
    "weekly_set_unsubscribed": frozenset({"day"}),
    "weekly_title": frozenset({"first", "last"}),
    "weekly_checkins": frozenset({"count", "median", "spark"}),
    "weekly_checkins_one": frozenset({"score", "spark"}),
    "weekly_trend_lower": frozenset(),
    "weekly_trend_higher": frozenset(),
    "weekly_trend_same": frozenset(),
    "weekly_no_checkins": frozenset(),
    "weekly_sessions": frozenset({"count"}),
    "weekly_cheer": frozenset(),
    "massage_held_title": frozenset(),
    "massage_held_warning_sign": frozenset({"date"}),
    "massage_held_pain_stop": frozenset(),
    "massage_held_worse": frozenset(),
    "massage_held_caution": frozenset(),
    "massage_held_unanswered": frozenset(),
    "massage_held_checkins": frozenset(),
    "massage_held_flare": frozenset(),
    "massage_held_paused": frozenset(),
    "massage_held_ask": frozenset(),
    "massage_held_footer": frozenset(),
    "later_held": frozenset(),
    "clinician_seen": frozenset(),
    "massage_allowed": frozenset(),
    "session_held_resume": frozenset(),
    "weekly_held": frozenset(),
    "share_caution": frozenset(),
    "techniques_held_warning_sign": frozenset(),
    "techniques_held_pain_stop": frozenset(),
    "techniques_held_worse": frozenset(),
    "techniques_held_paused": frozenset(),
    "fit_knee": frozenset(),
    "fit_days": frozenset(),
    "fit_focus": frozenset(),
    "fit_summary": frozenset({"knee", "days", "focus"}),
    "fit_skipped": frozenset(),
    "fit_none": frozenset(),
    "chart_date": frozenset({"day", "month"}),
    **{f"month_{number}": frozenset() for number in range(1, 13)},
    "fit_some": frozenset({"count"}),
    "source_line": frozenset({"name", "year", "line"}),
    "why": frozenset({"name", "year", "line"}),
    "why_unknown": frozenset(),
}

#: The bot's profile as Telegram shows it (setMyDescription, setMyShortDescription): plain
#: text within these lengths (Bot API limits).
PROFILE_LIMITS: Mapping[str, int] = {"description": 512, "short_description": 120}

#: Pop-up answers to button presses: plain text, at most 200 characters (Bot API limit).
ANSWER_KEYS = frozenset(
    {
        "stale",
        "subscribed",
        "unsubscribed",
        "saved",
        "days_last",
        "paused",
        "resumed",
        "not_paused",
        "pause_not_subscribed",
        "caution_retake",
        "hold_not_held",
        "clinician_seen_not_held",
        "feedback_saved",
        "broadcast_stopping",
        "busy",
        "private_only",
        "slow_down",
    }
)
MAX_ANSWER_LENGTH = 200

#: Inline keyboard labels.
BUTTON_KEYS = frozenset(
    {
        "open_private",
        "subscribe",
        "unsubscribe",
        "techniques",
        "safety",
        "benefits",
        "sources",
        "back_to_list",
        "share",
        "session_start",
        "session_open_app",
        "session_in_chat",
        "progress_open_app",
        "map_open_app",
        "menu_app",
        "session_pause",
        "session_resume",
        "session_skip",
        "session_stop",
        "session_pain",
        "session_better",
        "session_same",
        "session_worse",
        "settings_time",
        "settings_timezone",
        "settings_back",
        "settings_days",
        "days_every_day",
        "days_weekdays",
        "pause",
        "resume",
        "pause_1",
        "pause_3",
        "pause_7",
        "pause_until_resume",
        "urgent",
        "delete_confirm",
        "delete_cancel",
        "caution_none",
        "caution_applies",
        "caution_red_flag",
        "caution_cleared",
        "caution_retake",
        "checkin_red_flag",
        "checkin_open",
        "bad_day",
        "location_share",
        "later",
        "later_hour",
        "later_evening",
        "weekly",
        "weekly_off",
        "hold_fine",
        "clinician_seen",
        "caution_take",
        "inline_check_first",
        "inline_held",
        "checkin_prompt_on",
        "checkin_prompt_off",
        "progress",
        "language_en",
        "language_zh",
        "feedback_helpful",
        "feedback_not",
        "feedback_thanks_helpful",
        "feedback_thanks_not",
        "broadcast_send",
        "broadcast_cancel",
        "broadcast_stop",
        "fit",
        "fit_skip",
        "fit_change",
        "why",
        "fit_knee_yes",
        "fit_knee_no",
        "fit_knee_unsure",
        "fit_days_sitting",
        "fit_days_on_feet",
        "fit_days_physical",
        "fit_days_not_working",
        "fit_focus_sleep",
        "fit_focus_work",
        "fit_focus_moving",
        "fit_focus_understanding",
    }
)
MAX_BUTTON_LENGTH = 64

#: The command menu, in the order it is shown; descriptions are 1–256 characters.
COMMANDS = (
    "start",
    "tip",
    "checkin",
    "flare",
    "progress",
    "report",
    "technique",
    "session",
    "benefits",
    "safety",
    "urgent",
    "subscribe",
    "unsubscribe",
    "pause",
    "resume",
    "settings",
    "time",
    "evening",
    "weekly",
    "timezone",
    "language",
    "sources",
    "privacy",
    "mydata",
    "export",
    "deletedata",
    "help",
)
MAX_COMMAND_DESCRIPTION = 256

#: Long pages sent as one message each.
PAGE_KEYS = frozenset({"benefits", "safety", "urgent", "sources", "privacy", "flare"})
#: The placeholders a page has, filled by ``Content.page`` (the others have none).
#: /sources lists every entry of sources.toml where ``{sources}`` stands.
PAGE_PLACEHOLDERS: Mapping[str, frozenset[str]] = {
    "privacy": frozenset({"keep_days"}),
    "sources": frozenset({"sources"}),
}

TECHNIQUE_FIELDS = (
    "name",
    "button",
    "aliases",
    "what",
    "who",
    "on_yourself",
    "steps",
    "dose",
    "helps",
    "stop",
)
#: A tip is a short daily read; Telegram would take more, we do not.
#: The keys a tip may have: its text, and optionally the technique it teaches, or
#: ``massage = true`` for a tip that suggests massage without teaching one technique.
TIP_FIELDS = frozenset({"text", "technique", "massage", "topic", "source"})
#: What a tip is about. The library (tips after the program) is chosen from by topic
#: (``storage.rules.choosing``); each topic is a file of ``library/`` in every language, and the
#: program's tips name one too.
TOPICS = (
    "moving",
    "exercise",
    "sleep",
    "sitting",
    "physical_work",
    "lifting",
    "travel",
    "flares",
    "mind",
    "scans",
    "sciatica",
    "treatments",
    "medicines",
    "whom_to_see",
    "procedures",
    "returning",
    "partner",
    "pregnancy",
    "older_age",
    "staying_well",
    "massage",
)
#: A source's fields in sources.toml.
SOURCE_FIELDS = frozenset({"name", "year", "line"})
MAX_TIP_LENGTH = 500
#: Room left in a 4096-character message for headings and layout around a technique.
MAX_TECHNIQUE_LENGTH = 3000

_ID = re.compile(r"^[a-z][a-z0-9_]{1,40}$")
_LANGUAGE = re.compile(r"^[a-z]{2}(-[a-z]{2,4})?$")


class ContentError(ValueError):
    """Content that fails validation; the message names the file and the key."""


@dataclass(frozen=True)
class Technique:
    """One massage technique, as its card shows it."""

    id: str
    name: str
    button: str
    aliases: tuple[str, ...]
    what: str
    who: str
    on_yourself: str
    steps: tuple[str, ...]
    dose: str
    helps: str
    stop: str
    #: Seconds each step runs in a guided session (content/sessions.toml), one per step.
    timings: tuple[int, ...] = ()

    @property
    def session_seconds(self) -> int:
        """How long a guided session of this technique runs, all steps together."""
        return sum(self.timings)


@dataclass(frozen=True)
class Tip:
    """One daily tip, as the content files give it and as storage keeps and returns it.

    ``position`` is its place in the sequence every subscriber follows.
    """

    id: str
    position: int
    text: str
    #: The technique the tip teaches or asks the user to try (None: general back care).
    technique: str | None = None
    #: Its day in the program ("Day 3 of 30"), or None for a tip after the program.
    program_day: int | None = None
    #: The tip suggests massage without teaching one technique.
    massage: bool = False
    #: What it is about (one of ``TOPICS``).
    topic: str = "moving"
    #: The key of its entry in sources.toml (the "Why?" button shows it).
    source: str = "nice_ng59"

    @property
    def about_massage(self) -> bool:
        """Whether the tip teaches a technique or suggests massage: such tips are held back
        while the safety state holds massage (``storage.rules.safety``), and for pain below the
        knee until a doctor has cleared massage (``storage.rules.choosing``)."""
        return self.technique is not None or self.massage


@dataclass(frozen=True)
class Source:
    """One entry of /sources: what a tip's facts come from."""

    key: str
    #: A short name, plain text.
    name: str
    #: Its year (or "read 2026" for a web page).
    year: str
    #: One line on what the bot takes from it (Telegram HTML).
    line: str


@dataclass(frozen=True)
class WarningWords:
    """Words that name a warning sign in free text, in one language
    (``content.warning_words.names_warning_sign`` reads them)."""

    #: Words and phrases that name a warning sign: numbness, weakness, trouble peeing or
    #: with the bowels.
    signs: tuple[str, ...]
    #: Longer words that hold a sign's word but mean something else (zh 麻烦, "trouble",
    #: holds 麻, "numb"): taken out of the text before the signs are looked for.
    not_signs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Content:
    """Everything the bot says in one language."""

    language: str
    text: Mapping[str, str]
    #: What Telegram shows about the bot (see ``PROFILE_LIMITS``).
    profile: Mapping[str, str]
    answers: Mapping[str, str]
    buttons: Mapping[str, str]
    commands: Mapping[str, str]
    pages: Mapping[str, str]
    techniques: tuple[Technique, ...]
    tips: tuple[Tip, ...]
    #: The first this many tips are the program, one a day ("Day N of 30").
    program_days: int = 30
    #: Words that name a warning sign in what a user types.
    warning_words: WarningWords = WarningWords(signs=())
    #: The sources tips name, by key, in the file's order.
    sources: Mapping[str, Source] = field(default_factory=lambda: MappingProxyType({}))

    def tip(self, tip_id: str) -> Tip | None:
        """Return the tip with this id, or None."""
        return next((tip for tip in self.tips if tip.id == tip_id), None)

    def message(self, key: str, **values: str) -> str:
        """Return message ``key`` with its placeholders filled.

        Args:
            key: a key of ``[text]`` in messages.toml.
            values: one HTML-safe string per placeholder; escaping user input is the caller's job.
        """
        return self.text[key].format_map(values)

    def page(self, key: str, **values: str) -> str:
        """Return page ``key`` with its placeholders (``PAGE_PLACEHOLDERS``) filled."""
        return self.pages[key].format_map(values)

    def technique(self, technique_id: str) -> Technique | None:
        """Return the technique with this id, or None."""
        return next((t for t in self.techniques if t.id == technique_id), None)


def load(language: str = DEFAULT_LANGUAGE, root: Traversable | None = None) -> Content:
    """Load and validate the content of one language.

    Args:
        language: the folder name under ``content/``, e.g. ``"en"``.
        root: the folder holding the language folders; the installed package's by default.

    Returns:
        The validated content.

    Raises:
        ContentError: naming the file and key of the first problem found.
    """
    if not _LANGUAGE.match(language):
        raise ContentError(f"bad language name {language!r}")
    folder = (root or resources.files("content")).joinpath(language)
    messages_file = folder.joinpath("messages.toml")
    messages = _read(messages_file)
    text = _strings(messages, "text", messages_file, TEXT_PLACEHOLDERS.keys())
    for key, value in text.items():
        _check_placeholders(value, TEXT_PLACEHOLDERS[key], messages_file, f"text.{key}")
        _check_markup(_sample(value), messages_file, f"text.{key}")
    profile = _strings(messages, "profile", messages_file, PROFILE_LIMITS.keys())
    for key, value in profile.items():
        _check_length(value, PROFILE_LIMITS[key], messages_file, f"profile.{key}")
        if any(mark in value for mark in "<>&"):
            raise ContentError(f"{messages_file}: profile.{key}: plain text, without < > &")
    answers = _strings(messages, "answers", messages_file, ANSWER_KEYS)
    for key, value in answers.items():
        _check_length(value, MAX_ANSWER_LENGTH, messages_file, f"answers.{key}")
    buttons = _strings(messages, "buttons", messages_file, BUTTON_KEYS)
    for key, value in buttons.items():
        _check_length(value, MAX_BUTTON_LENGTH, messages_file, f"buttons.{key}")
    commands = _strings(messages, "commands", messages_file, COMMANDS)
    for key, value in commands.items():
        _check_length(value, MAX_COMMAND_DESCRIPTION, messages_file, f"commands.{key}")
    warning_words = _warning_words(messages, messages_file)
    pages_file = folder.joinpath("pages.toml")
    pages = _strings(_read(pages_file), "pages", pages_file, PAGE_KEYS)
    for key, value in pages.items():
        _check_placeholders(
            value, PAGE_PLACEHOLDERS.get(key, frozenset()), pages_file, f"pages.{key}"
        )
        _check_markup(_sample(value), pages_file, f"pages.{key}")
    techniques = _timed(
        _techniques(folder.joinpath("techniques.toml")),
        (root or resources.files("content")).joinpath("sessions.toml"),
    )
    sources = _sources(folder.joinpath("sources.toml"))
    tips_file = folder.joinpath("tips.toml")
    tips_data = _read(tips_file)
    tips = _tips(tips_data, tips_file, {t.id for t in techniques}, sources)
    program_days = _program_days(tips_data, tips_file, tips)
    # The library: one file per topic, after the program and the tips of tips.toml.
    library = folder.joinpath("library")
    for file in sorted(
        (f for f in library.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name
    ):
        more = _tips(_read(file), file, {t.id for t in techniques}, sources, first=len(tips) + 1)
        clash = {tip.id for tip in tips} & {tip.id for tip in more}
        if clash:
            raise ContentError(f"{file}: tip ids used before: {sorted(clash)}")
        tips = (*tips, *more)
    # The program is the first ``program_days`` positions, one a day: here, and only here.
    tips = tuple(
        replace(tip, program_day=tip.position if tip.position <= program_days else None)
        for tip in tips
    )
    return Content(
        language=language,
        text=MappingProxyType(text),
        profile=MappingProxyType(profile),
        answers=MappingProxyType(answers),
        buttons=MappingProxyType(buttons),
        commands=MappingProxyType({key: commands[key] for key in COMMANDS}),
        pages=MappingProxyType(pages),
        techniques=techniques,
        tips=tips,
        program_days=program_days,
        warning_words=warning_words,
        sources=MappingProxyType(sources),
    )


def load_all(root: Traversable | None = None) -> Mapping[str, Content]:
    """Load every language in ``LANGUAGES`` and check that they match one another.

    Each language must have the same tips in the same order (with the same techniques,
    massage flags, topics and sources, and program length), the same source keys and the
    same techniques; message keys and placeholders already match
    because each file is checked against the same schema.

    Raises:
        ContentError: naming the language and what differs.
    """
    contents = {language: load(language, root) for language in LANGUAGES}
    reference = contents[DEFAULT_LANGUAGE]
    for language, content in contents.items():
        where = f"{language}/tips.toml"
        for name, mine, theirs in (
            ("tip ids and order", _tip_shape(content), _tip_shape(reference)),
            ("program_days", content.program_days, reference.program_days),
            ("source keys", list(content.sources), list(reference.sources)),
            (
                "technique ids and order",
                [t.id for t in content.techniques],
                [t.id for t in reference.techniques],
            ),
        ):
            if mine != theirs:
                raise ContentError(
                    f"{where}: {name} differ from {DEFAULT_LANGUAGE}: {_difference(mine, theirs)}"
                )
    return MappingProxyType(contents)


def _tip_shape(content: Content) -> list[tuple[str, str | None, bool, str, str]]:
    return [(tip.id, tip.technique, tip.massage, tip.topic, tip.source) for tip in content.tips]


def _difference(mine: Any, theirs: Any) -> str:
    if isinstance(mine, list) and isinstance(theirs, list):
        extra = [item for item in mine if item not in theirs]
        missing = [item for item in theirs if item not in mine]
        if extra or missing:
            return f"extra {extra}, missing {missing}"
        first = next(i for i, (a, b) in enumerate(zip(mine, theirs, strict=True)) if a != b)
        return f"first difference at position {first + 1}: {mine[first]!r} vs {theirs[first]!r}"
    return f"{mine!r} vs {theirs!r}"


def _program_days(data: Mapping[str, Any], file: Traversable, tips: tuple[Tip, ...]) -> int:
    days = data.get("program_days")
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= len(tips):
        raise ContentError(f"{file}: program_days must be a whole number from 1 to {len(tips)}")
    # Day 1 comes at once on subscribing, before anyone could answer the caution check, so
    # it must not be about massage.
    if tips[0].about_massage:
        raise ContentError(f"{file}: tips.{tips[0].id}: day 1 must not be about massage")
    return days


def _read(file: Traversable) -> dict[str, Any]:
    try:
        with file.open("rb") as stream:
            return tomllib.load(stream)
    except FileNotFoundError:
        raise ContentError(f"{file}: file is missing") from None
    except tomllib.TOMLDecodeError as error:
        raise ContentError(f"{file}: not valid TOML: {error}") from None


def _table(data: Mapping[str, Any], key: str, file: Traversable) -> Mapping[str, Any]:
    table = data.get(key)
    if not isinstance(table, dict):
        raise ContentError(f"{file}: missing table [{key}]")
    return table


def _strings(data: Mapping[str, Any], key: str, file: Traversable, expected: Any) -> dict[str, str]:
    table = _table(data, key, file)
    expected_keys = set(expected)
    missing = sorted(expected_keys - table.keys())
    if missing:
        raise ContentError(f"{file}: [{key}] is missing {', '.join(missing)}")
    extra = sorted(table.keys() - expected_keys)
    if extra:
        raise ContentError(f"{file}: [{key}] has unknown keys {', '.join(extra)}")
    for name, value in table.items():
        if not isinstance(value, str) or not value.strip():
            raise ContentError(f"{file}: {key}.{name} must be non-empty text")
    # Only line breaks: the one after an opening """, and a separator like ", " keeps its space.
    return {name: value.strip("\n") for name, value in table.items()}


def _warning_words(data: Mapping[str, Any], file: Traversable) -> WarningWords:
    """The ``[warning_words]`` table: ``signs`` (at least one) and ``not_signs``, each a list
    of non-empty text."""
    table = _table(data, "warning_words", file)
    extra = sorted(table.keys() - {"signs", "not_signs"})
    if extra:
        raise ContentError(f"{file}: [warning_words] has unknown keys {', '.join(extra)}")
    lists = {}
    for key in ("signs", "not_signs"):
        value = table.get(key, [])
        if not isinstance(value, list) or not all(
            isinstance(word, str) and word.strip() for word in value
        ):
            raise ContentError(f"{file}: warning_words.{key} must be a list of non-empty text")
        lists[key] = tuple(" ".join(word.split()) for word in value)
    if not lists["signs"]:
        raise ContentError(f"{file}: warning_words.signs needs at least one word")
    return WarningWords(signs=lists["signs"], not_signs=lists["not_signs"])


def _check_placeholders(value: str, expected: frozenset[str], file: Traversable, key: str) -> None:
    try:
        found = {field for _, field, _, _ in string.Formatter().parse(value) if field is not None}
    except ValueError as error:
        raise ContentError(f"{file}: {key}: bad placeholder: {error}") from None
    if found != expected:
        want = ", ".join(f"{{{name}}}" for name in sorted(expected)) or "none"
        raise ContentError(f"{file}: {key}: placeholders must be {want}, found {sorted(found)}")


def _sample(value: str) -> str:
    """Fill placeholders with plain words so the markup around them can be checked."""
    fields = {field for _, field, _, _ in string.Formatter().parse(value) if field}
    return value.format_map(dict.fromkeys(fields, "x"))


def _check_markup(value: str, file: Traversable, key: str) -> None:
    try:
        markup.check_message(value)
    except markup.MarkupError as error:
        raise ContentError(f"{file}: {key}: {error}") from None


def _check_length(value: str, limit: int, file: Traversable, key: str) -> None:
    if len(value) > limit:
        raise ContentError(f"{file}: {key}: {len(value)} characters, the limit is {limit}")


#: A guided session of one technique is never longer than the whole session's cap
#: (safety-facts: about 10 minutes in all); content/rules.py ("doses add up") holds all the
#: sessions together, and the cards' doses, to it.
SESSION_CAP_SECONDS = 600


def _timed(techniques: tuple[Technique, ...], file: Traversable) -> tuple[Technique, ...]:
    """The techniques with their session timings: one positive number of seconds per step,
    for every technique, within ``SESSION_CAP_SECONDS`` in all."""
    table = _read(file)
    unknown = sorted(table.keys() - {technique.id for technique in techniques})
    if unknown:
        raise ContentError(f"{file}: no technique {', '.join(unknown)}")
    timed = []
    for technique in techniques:
        where = f"{file}: {technique.id}"
        entry = table.get(technique.id)
        steps = entry.get("steps") if isinstance(entry, dict) else None
        if not isinstance(steps, list) or not all(
            isinstance(s, int) and not isinstance(s, bool) and s > 0 for s in steps
        ):
            raise ContentError(f"{where}.steps: must be a list of seconds, each at least 1")
        if len(steps) != len(technique.steps):
            raise ContentError(
                f"{where}.steps: {len(steps)} timings for {len(technique.steps)} steps"
            )
        if sum(steps) > SESSION_CAP_SECONDS:
            raise ContentError(
                f"{where}.steps: {sum(steps)} s in all, the cap is {SESSION_CAP_SECONDS} s"
            )
        timed.append(replace(technique, timings=tuple(steps)))
    return tuple(timed)


def _techniques(file: Traversable) -> tuple[Technique, ...]:
    table = _table(_read(file), "techniques", file)
    techniques = []
    for technique_id, fields in table.items():
        where = f"{file}: techniques.{technique_id}"
        if not _ID.match(technique_id):
            raise ContentError(f"{where}: bad id; use lower-case letters, digits and _")
        if not isinstance(fields, dict):
            raise ContentError(f"{where}: must be a table")
        missing = [name for name in TECHNIQUE_FIELDS if name not in fields]
        if missing:
            raise ContentError(f"{where}: missing field {', '.join(repr(m) for m in missing)}")
        extra = sorted(fields.keys() - set(TECHNIQUE_FIELDS))
        if extra:
            raise ContentError(f"{where}: unknown field {', '.join(repr(e) for e in extra)}")
        for name in TECHNIQUE_FIELDS:
            value = fields[name]
            if name in ("aliases", "steps"):
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise ContentError(f"{where}.{name}: must be a list of text")
                if name == "steps" and not value:
                    raise ContentError(f"{where}.{name}: needs at least one step")
            elif not isinstance(value, str) or not value.strip():
                raise ContentError(f"{where}.{name}: must be non-empty text")
        technique = Technique(
            id=technique_id,
            name=fields["name"].strip(),
            button=fields["button"].strip(),
            aliases=tuple(alias.strip().lower() for alias in fields["aliases"]),
            what=fields["what"].strip(),
            who=fields["who"].strip(),
            on_yourself=fields["on_yourself"].strip(),
            steps=tuple(step.strip() for step in fields["steps"]),
            dose=fields["dose"].strip(),
            helps=fields["helps"].strip(),
            stop=fields["stop"].strip(),
        )
        body = "\n".join(
            [
                technique.name,
                technique.what,
                technique.who,
                technique.on_yourself,
                *technique.steps,
                technique.dose,
                technique.helps,
                technique.stop,
            ]
        )
        _check_markup(body, file, f"techniques.{technique_id}")
        _check_length(markup.plain(body), MAX_TECHNIQUE_LENGTH, file, f"techniques.{technique_id}")
        _check_length(
            technique.button, MAX_BUTTON_LENGTH, file, f"techniques.{technique_id}.button"
        )
        techniques.append(technique)
    if not techniques:
        raise ContentError(f"{file}: no techniques")
    return tuple(techniques)


def _sources(file: Traversable) -> dict[str, Source]:
    """The entries of sources.toml, each with a name, a year and one line."""
    found = {}
    for key, fields in _table(_read(file), "sources", file).items():
        where = f"{file}: sources.{key}"
        if not _ID.match(key):
            raise ContentError(f"{where}: bad key; use lower-case letters, digits and _")
        if not isinstance(fields, dict) or set(fields) != SOURCE_FIELDS:
            raise ContentError(f"{where}: must have exactly name, year and line")
        if not all(isinstance(value, str) and value.strip() for value in fields.values()):
            raise ContentError(f"{where}: name, year and line must be non-empty text")
        if any(mark in fields["name"] + fields["year"] for mark in "<>&"):
            raise ContentError(f"{where}: name and year are plain text, without < > &")
        _check_markup(fields["line"], file, f"sources.{key}.line")
        found[key] = Source(key, fields["name"].strip(), fields["year"].strip(), fields["line"])
    if not found:
        raise ContentError(f"{file}: no sources")
    return found


def _tips(
    data: Mapping[str, Any],
    file: Traversable,
    technique_ids: set[str],
    sources: Mapping[str, Source],
    *,
    first: int = 1,
) -> tuple[Tip, ...]:
    table = _table(data, "tips", file)
    tips = []
    for position, (tip_id, fields) in enumerate(table.items(), start=first):
        where = f"{file}: tips.{tip_id}"
        if not _ID.match(tip_id):
            raise ContentError(f"{where}: bad id; use lower-case letters, digits and _")
        if (
            not isinstance(fields, dict)
            or {"text", "topic", "source"} - set(fields)
            or set(fields) - TIP_FIELDS
        ):
            raise ContentError(
                f"{where}: must be a table with text, topic and source and, optionally,"
                " technique or massage"
            )
        topic, source = fields["topic"], fields["source"]
        if topic not in TOPICS:
            raise ContentError(f"{where}.topic: {topic!r} is not one of {', '.join(TOPICS)}")
        if source not in sources:
            raise ContentError(f"{where}.source: no source {source!r} in sources.toml")
        massage = fields.get("massage", False)
        if not isinstance(massage, bool):
            raise ContentError(f"{where}.massage: must be true or false")
        technique = fields.get("technique")
        if technique is not None and technique not in technique_ids:
            raise ContentError(f"{where}.technique: no technique {technique!r} in techniques.toml")
        text = fields["text"]
        if not isinstance(text, str) or not text.strip():
            raise ContentError(f"{where}.text: must be non-empty text")
        text = text.strip()
        _check_markup(text, file, f"tips.{tip_id}")
        _check_length(text, MAX_TIP_LENGTH, file, f"tips.{tip_id}")
        tips.append(
            Tip(
                id=tip_id,
                position=position,
                text=text,
                technique=technique,
                massage=massage,
                topic=topic,
                source=source,
            )
        )
    if not tips:
        raise ContentError(f"{file}: no tips")
    return tuple(tips)
