"""/checkin: the 0–10 question, the thanks (with the nudge on a rising trend), and a bad
day's plan."""

from __future__ import annotations

from telegram import (
    InlineKeyboardMarkup,
)

from bot import callbacks
from bot.render.common import Reply, callback_button
from content import Content
from storage.rules.checkins import MAX_SCORE, MIN_SCORE


def checkin(content: Content) -> Reply:
    """The /checkin question: a 0–10 button each, and a red-flag button to the urgent card."""
    scores = [
        callback_button(str(score), callbacks.checkin(score))
        for score in range(MIN_SCORE, MAX_SCORE + 1)
    ]
    rows = [scores[:4], scores[4:8], scores[8:]]
    rows.append([callback_button(content.buttons["checkin_red_flag"], callbacks.CHECKIN_RED_FLAG)])
    rows.append([callback_button(content.buttons["bad_day"], callbacks.FLARE)])
    return Reply(content.message("checkin"), InlineKeyboardMarkup(rows))


def flare(content: Content) -> Reply:
    """A bad day's plan (no massage), with the check-in and the warning signs a tap away."""
    return Reply(
        content.pages["flare"],
        InlineKeyboardMarkup(
            [
                [callback_button(content.buttons["checkin_open"], callbacks.CHECKIN_ASK)],
                [callback_button(content.buttons["urgent"], callbacks.URGENT)],
            ]
        ),
    )


def checked_in(content: Content, score: int, rising: bool) -> Reply:
    """Thanks for a check-in, with the progress chart a tap away; on a rising trend, a line
    suggesting a clinician, that technique tips are held back, "I feel fine" and /urgent."""
    buttons = content.buttons
    text = content.message("checkin_thanks", score=str(score))
    progress = callback_button(buttons["progress"], callbacks.PROGRESS)
    if not rising:
        return Reply(text, InlineKeyboardMarkup([[progress]]))
    return Reply(
        f"{text}\n\n{content.message('checkin_rising')}",
        InlineKeyboardMarkup(
            [
                [callback_button(buttons["urgent"], callbacks.URGENT)],
                [callback_button(buttons["hold_fine"], callbacks.HOLD_FINE), progress],
            ]
        ),
    )
