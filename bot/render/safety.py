"""The safety gate's replies: the caution check, ask a doctor first, why massage is held and
what lifts it, "I feel fine" and "a clinician has seen me"."""

from __future__ import annotations

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)

from bot import callbacks
from bot.render.common import Reply, callback_button
from content import Content
from storage.rules.safety import Decision, Hold


def caution_check(content: Content, target: str) -> Reply:
    """The caution check with its three answers; the first two then show ``target`` (a
    technique id, or a tip from ``callbacks.caution_tip``), the third opens /urgent."""
    buttons = content.buttons
    return Reply(
        content.message("caution_check"),
        InlineKeyboardMarkup(
            [
                [
                    callback_button(
                        buttons["caution_none"], callbacks.caution(callbacks.CAUTION_NONE, target)
                    )
                ],
                [
                    callback_button(
                        buttons["caution_applies"],
                        callbacks.caution(callbacks.CAUTION_APPLIES, target),
                    )
                ],
                [callback_button(buttons["caution_red_flag"], callbacks.URGENT)],
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
                    callback_button(
                        buttons["caution_cleared"],
                        callbacks.caution(callbacks.CAUTION_CLEARED, target),
                    )
                ],
                [
                    callback_button(buttons["safety"], callbacks.SAFETY),
                    callback_button(buttons["urgent"], callbacks.URGENT),
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
        rows.append([callback_button(buttons["clinician_seen"], callbacks.CLINICIAN_SEEN)])
    if Hold.CAUTION in decision.holds and target is not None:
        cleared = callbacks.caution(callbacks.CAUTION_CLEARED, target)
        rows.append([callback_button(buttons["caution_cleared"], cleared)])
    if Hold.UNANSWERED in decision.holds and target is not None:
        rows.append([callback_button(buttons["caution_take"], callbacks.caution_take(target))])
    if Hold.CHECKINS in decision.holds:
        rows.append([callback_button(buttons["hold_fine"], callbacks.HOLD_FINE)])
    rows.append([callback_button(buttons["urgent"], callbacks.URGENT)])
    return InlineKeyboardMarkup(rows)


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
