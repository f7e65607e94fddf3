"""`backcare-bot content check` and `content preview`: the content as Telegram would take it
and as users would see it, without starting the bot."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, time
from typing import Any, TextIO

from bot import callbacks
from bot.render import checkins as render_checkins
from bot.render import pages as render_pages
from bot.render import progress as render_progress
from bot.render import safety as render_safety
from bot.render import settings as render_settings
from bot.render import techniques as render_techniques
from bot.render import tips as render_tips
from bot.render.common import Reply, callback_data_of
from content import LANGUAGES, Content, ContentError, load_all, pictures, rules
from content.markup import MarkupError, check_caption, check_message, plain
from storage import Caution, Decision, NextTip, Permit, Subscriber
from storage.record import Record
from storage.rules.safety import Hold, decide

#: A moment to render dates and "next tip" lines against.
SAMPLE_NOW = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)


def _subscriber(**values: object) -> Subscriber:
    fields: dict[str, object] = {
        "chat_id": 1,
        "subscribed": True,
        "tip_time": time(9, 0),
        "timezone": "UTC",
        "next_due": SAMPLE_NOW.replace(hour=9),
        "tip_cursor": 3,
    }
    fields.update(values)
    return Subscriber(**fields)  # type: ignore[arg-type]


def _decision(**values: object) -> Decision:
    """The safety decision for a sample chat with these settings, on SAMPLE_NOW's date."""
    return decide(1, _subscriber(**values), SAMPLE_NOW.date())


def _permit() -> Permit:
    """A sample chat that answered the caution check, nothing holding massage."""
    permit = _decision(caution=Caution.NONE).permit
    assert permit is not None
    return permit


#: A sample chat's settings that hold massage for each reason (``storage.rules.safety``).
HELD_BY: Mapping[Hold, Mapping[str, object]] = {
    Hold.WARNING_SIGN: {"caution": Caution.NONE, "warning_sign_on": SAMPLE_NOW.date()},
    Hold.PAIN_STOP: {"caution": Caution.NONE, "pain_stop_on": SAMPLE_NOW.date()},
    Hold.WORSE: {"caution": Caution.NONE, "worse_on": SAMPLE_NOW.date()},
    Hold.CAUTION: {"caution": Caution.APPLIES},
    Hold.UNANSWERED: {"caution": Caution.ASKED},
    Hold.CHECKINS: {"caution": Caution.NONE, "hold_techniques": True},
    Hold.FLARE: {"caution": Caution.NONE, "flare_on": SAMPLE_NOW.date()},
}


def picked(content: Content, index: int, **values: Any) -> NextTip:
    """The content's tip at ``index`` as the next tip of a chat (see ``NextTip``), with the
    sample permit when it is about massage and the caution check is not in its place."""
    tip = content.tips[index]
    if tip.about_massage and not values.get("ask_caution"):
        values.setdefault("permit", _permit())
    return NextTip(tip, **values)


def messages(content: Content) -> Iterator[tuple[str, Reply]]:
    """Every message the bot builds from content, named, with sample values filled in."""
    yield "welcome", render_pages.welcome(content)
    yield "help", render_pages.help_text(content)
    for key in sorted(content.pages):
        yield f"page {key}", render_pages.page(content, key)
    yield "technique list (caption)", render_techniques.technique_list(content)
    for technique in content.techniques:
        yield f"caution check ({technique.id})", render_safety.caution_check(content, technique.id)
        yield f"doctor first ({technique.id})", render_safety.doctor_first(content, technique.id)
    yield "check-in", render_checkins.checkin(content)
    yield "check-in thanks", render_checkins.checked_in(content, 4, False)
    yield "check-in thanks, rising", render_checkins.checked_in(content, 8, True)
    yield "I feel fine", render_safety.hold_lifted(content, _decision(caution=Caution.NONE))
    yield (
        "I feel fine, a caution applies",
        render_safety.hold_lifted(content, _decision(caution=Caution.APPLIES)),
    )
    for hold, values in HELD_BY.items():
        held = _decision(**values)
        yield f"massage held: {hold}", render_safety.massage_held(content, held, "kneading")
        yield (
            f"massage held: {hold}, nothing waiting",
            render_safety.massage_held(content, held, None),
        )
        yield f"clinician seen, still held: {hold}", render_safety.clinician_seen(content, held)
    everything = {k: v for values in HELD_BY.values() for k, v in values.items()}
    everything["caution"] = Caution.APPLIES
    yield (
        "massage held: every reason",
        render_safety.massage_held(content, _decision(**everything), "s.kneading"),
    )
    yield "clinician seen", render_safety.clinician_seen(content, _decision(caution=Caution.NONE))
    no_progress = render_progress.progress(content, _no_progress())
    assert isinstance(no_progress, Reply)
    yield "no progress yet", no_progress
    yield "language", render_pages.language_menu(content)
    yield "settings", render_settings.settings(content, _subscriber(), SAMPLE_NOW)
    yield (
        "settings (held, check-in on, caution applies)",
        render_settings.settings(
            content,
            _subscriber(hold_techniques=True, checkin_prompt=True, caution=Caution.APPLIES),
            SAMPLE_NOW,
        ),
    )
    for state in (Caution.ASKED, Caution.CLEARED):
        yield (
            f"settings (caution {state})",
            render_settings.settings(content, _subscriber(caution=state), SAMPLE_NOW),
        )
    for question in callbacks.FIT_QUESTIONS:
        yield f"fit my tips: {question}", render_tips.fit_question(content, question)
    yield "fit my tips: skipped", render_tips.fit_summary(content, _subscriber())
    for knee, days, focus in zip(*callbacks.FIT_QUESTIONS.values(), strict=False):
        yield (
            f"fit my tips: {knee}, {days}, {focus}",
            render_tips.fit_summary(
                content, _subscriber(below_knee=knee, days_like=days, focus=focus)
            ),
        )
    yield "why? (a tip no longer there)", render_tips.why(content, "no_such_tip")
    yield "first tip", render_tips.first_tip(content, picked(content, 0))
    for index, tip in enumerate(content.tips):
        day = tip.program_day
        name = f"tip {tip.id} (day {day})" if day else f"tip {tip.id} (after the program)"
        yield name, render_tips.daily_tip(content, picked(content, index), checkin_prompt=True)
        yield f"why? ({tip.id})", render_tips.why(content, tip.id)
        if tip.about_massage:
            gated = picked(content, index, ask_caution=True)
            yield f"{name}: the caution check in its place", render_tips.daily_tip(content, gated)
            yield f"{name}: the caution check in place of /tip", render_tips.tip(content, gated)
    last = content.program_days - 1
    for left_out in ((2, 2), (2, last)):
        yield (
            f"tip day {last + 1}, days {left_out} left out",
            render_tips.daily_tip(content, picked(content, last, left_out=left_out)),
        )


def captions(content: Content) -> Iterator[tuple[str, Reply]]:
    """Every caption under a picture, and what follows it."""
    yield "technique list", render_techniques.technique_list(content)
    for technique in content.techniques:
        card = render_techniques.technique_captioned(content, technique, _permit())
        yield f"technique {technique.id}", card.caption
        if card.rest is not None:
            yield f"technique {technique.id} (continued)", card.rest


def _no_progress() -> Record:
    today = SAMPLE_NOW.date()
    return Record(chat_id=0, first=today, last=today, today=today, now=SAMPLE_NOW)


def problems(contents: Mapping[str, Content]) -> list[str]:
    """What Telegram would refuse, what is missing, and which safety rule of
    ``content.rules`` is broken, in every language."""
    found: list[str] = []
    reference = set(pictures.load_labels(LANGUAGES[0]))
    for language, content in contents.items():
        for name, reply in messages(content):
            try:
                check_message(reply.text)
                callback_data_of(reply)
            except (MarkupError, ValueError) as error:
                found.append(f"{language}: {name}: {error}")
        for name, reply in captions(content):
            try:
                (check_message if name.endswith("(continued)") else check_caption)(reply.text)
            except MarkupError as error:
                found.append(f"{language}: caption of {name}: {error}")
        found.extend(f"{language}: {problem}" for problem in rules.problems(content))
        labels = set(pictures.load_labels(language))
        if labels != reference:
            found.append(
                f"{language}/pictures.toml: keys differ from {LANGUAGES[0]}: "
                f"{sorted(labels ^ reference)}"
            )
        found.extend(
            f"{language}: picture {picture_id} is missing; run make images"
            for picture_id in pictures.PICTURES
            if not pictures.path(picture_id, language).is_file()
        )
    return found


def check(out: TextIO) -> int:
    """Validate every language; print a summary. Returns the exit code."""
    try:
        contents = load_all()
    except ContentError as error:
        print(f"content check failed: {error}", file=out)
        return 1
    found = problems(contents)
    for problem in found:
        print(problem, file=out)
    for language, content in contents.items():
        program = content.program_days
        print(
            f"{language}: {len(content.text)} messages, {len(content.buttons)} buttons, "
            f"{len(content.commands)} commands, {len(content.pages)} pages, "
            f"{len(content.techniques)} techniques, {len(content.tips)} tips "
            f"({program}-day program), {len(pictures.PICTURES)} pictures",
            file=out,
        )
    print("content check: " + ("ok" if not found else f"{len(found)} problems"), file=out)
    return 0 if not found else 1


def preview(language: str, out: TextIO) -> int:
    """Print every message, caption and tip of ``language`` as a user would read it."""
    content = load_all()[language]
    for name, reply in [*captions(content), *messages(content)]:
        print(f"──── {name} " + "─" * max(4, 60 - len(name)), file=out)
        print(plain(reply.text), file=out)
        if reply.keyboard is not None:
            for row in reply.keyboard.inline_keyboard:
                print("  ".join(f"[{button.text}]" for button in row), file=out)
        print(file=out)
    return 0
