"""Tips: the daily tip and /tip with their header and buttons, the feedback thanks, "Why?",
the three questions that fit the tips, the caution check in a tip's place, and "Later"."""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import date, datetime, time

from telegram import (
    InlineKeyboardMarkup,
)

from bot import callbacks
from bot.render.common import Reply, callback_button
from bot.render.safety import caution_check, massage_held
from content import Content, Tip
from storage import NextTip, Subscriber
from storage.rules.safety import Decision
from storage.rules.schedule import format_time


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
        callback_button(buttons[f"fit_{question}_{answer}"], callbacks.fit_answer(question, answer))
        for answer in callbacks.FIT_QUESTIONS[question]
    ]
    rows = [answers[index : index + 2] for index in range(0, len(answers), 2)]
    rows.append([callback_button(buttons["fit_skip"], callbacks.fit_answer(question, None))])
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
                    callback_button(buttons["fit_change"], callbacks.FIT),
                    callback_button(buttons["settings_back"], callbacks.SETTINGS),
                ]
            ]
        ),
    )


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
            callback_button(content.buttons["feedback_helpful"], callbacks.feedback(True, tip.id)),
            callback_button(content.buttons["feedback_not"], callbacks.feedback(False, tip.id)),
        ],
        [
            callback_button(content.buttons["techniques"], callbacks.TECHNIQUES),
            callback_button(content.buttons["safety"], callbacks.SAFETY),
            callback_button(content.buttons["why"], callbacks.why(tip.id)),
        ],
        [callback_button(content.buttons["bad_day"], callbacks.FLARE)],
    ]
    if _ends_program(pick):
        rows.append([callback_button(content.buttons["fit"], callbacks.FIT_ASK)])
    if day is not None:
        rows[-1].append(callback_button(content.buttons["later"], callbacks.later(day)))
    if checkin_prompt:
        rows.insert(1, [callback_button(content.buttons["checkin_open"], callbacks.CHECKIN_ASK)])
    text = content.message("daily_tip", tip=tip_text(content, pick))
    return Reply(text, InlineKeyboardMarkup(rows))


def _is_feedback(data: str) -> bool:
    return data.startswith(callbacks.FEEDBACK_PREFIX) or data == callbacks.FEEDBACK_SAVED


def feedback_given(
    content: Content, keyboard: InlineKeyboardMarkup | None, helpful: bool
) -> InlineKeyboardMarkup:
    """A daily tip's keyboard after a feedback press: the two feedback buttons give way to
    a short thanks (a button too, since buttons are what the row holds); the rest stay."""
    thanks = callback_button(
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
    rows = [[callback_button(content.buttons["why"], callbacks.why(pick.tip.id))]]
    if _ends_program(pick):
        rows.append([callback_button(content.buttons["fit"], callbacks.FIT_ASK)])
    return Reply(tip_text(content, pick), InlineKeyboardMarkup(rows))


def first_tip(content: Content, pick: NextTip) -> Reply:
    """Day 1, sent when someone subscribes after today's tip time (never about massage:
    the loader makes sure of it)."""
    days = str(content.program_days)
    return Reply(f"{content.message('first_tip', days=days)}\n\n{tip_text(content, pick)}")


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


def later_ask(content: Content, day: date, options: Mapping[str, datetime], evening: time) -> Reply:
    """When to send the day's tip again: the times still to come, and no other (once the
    evening time has passed, the question does not name it)."""
    buttons = [
        callback_button(content.buttons[f"later_{choice}"], callbacks.later_choice(day, choice))
        for choice in ("hour", "evening")
        if choice in options
    ]
    if "evening" in options:
        text = content.message("later_ask", evening=format_time(evening))
    else:
        text = content.message("later_ask_hour")
    return Reply(text, InlineKeyboardMarkup([buttons]))


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
