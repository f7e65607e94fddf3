"""Guided sessions: the pick, the running step with its timer and buttons, the end, how it
felt, and a stop."""

from __future__ import annotations

import html
from datetime import datetime

from telegram import (
    InlineKeyboardMarkup,
)

from bot import callbacks
from bot.render.common import Reply, app_page, callback_button, webapp_button
from content import Content, Technique
from content.markup import plain
from storage.rules.safety import Permit
from storage.rules.sessions import Feeling, Session, SessionState

#: Time left is shown rounded up to this many seconds, so the session message changes (and
#: is edited) at most this often: Telegram takes about one message a second per chat, and
#: a timer that moves every 5 seconds reads as live without using that up.
SESSION_DISPLAY_SECONDS = 5


#: The next step is named in at most this many characters.
SESSION_NEXT_LENGTH = 90


def session_pick(content: Content, app: str | None = None) -> Reply:
    """/session without a technique: what a guided session is, and one button each; with
    the Mini App on (``app``, its address), a first button that opens it."""
    buttons = [callback_button(t.button, callbacks.session_start(t.id)) for t in content.techniques]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    if app is not None:
        rows.insert(0, [webapp_button(content.buttons["session_open_app"], app_page(app))])
    return Reply(content.message("session_pick"), InlineKeyboardMarkup(rows))


def session_offer(content: Content, technique: Technique, app: str) -> Reply:
    """A session about to start, with the Mini App on (``app``, its address): open it as the
    Mini App's page, or be guided in the chat. Only after the safety decision allowed it."""
    page = app_page(app, technique=technique.id)
    return Reply(
        content.message("session_offer", technique=technique.name),
        InlineKeyboardMarkup(
            [
                [webapp_button(content.buttons["session_open_app"], page)],
                [
                    callback_button(
                        content.buttons["session_in_chat"], callbacks.session_in_chat(technique.id)
                    )
                ],
            ]
        ),
    )


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
    pain = [callback_button(buttons["session_pain"], callbacks.session_action("pain", session.id))]
    stop = callback_button(buttons["session_stop"], callbacks.session_action("stop", session.id))
    if session.state is SessionState.PAUSED:
        text = f"{text}\n\n{content.message('session_paused')}"
        resume = callback_button(
            buttons["session_resume"], callbacks.session_action("resume", session.id)
        )
        rows = [[resume, stop], pain]
    else:
        pause = callback_button(
            buttons["session_pause"], callbacks.session_action("pause", session.id)
        )
        skip = callback_button(
            buttons["session_skip"], callbacks.session_action("skip", session.id)
        )
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
        callback_button(
            buttons[f"session_{feeling}"], callbacks.session_feeling(session.id, feeling)
        )
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
        text, InlineKeyboardMarkup([[callback_button(content.buttons["urgent"], callbacks.URGENT)]])
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
