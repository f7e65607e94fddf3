"""The caution check's answers, and retaking the check from /settings."""

from __future__ import annotations

from telegram import Update

from bot import callbacks
from bot.context import BotContext
from bot.handlers.common import edit, pressed_button, send_to
from bot.handlers.session import begin
from bot.handlers.technique import decision, send_card
from bot.render import safety as render_safety
from bot.render import settings as render_settings
from bot.render import tips as render_tips
from storage import Caution, NextTip

#: The answer each answer button records (which may follow which: ``Store.answer_caution``).
_ANSWERS = {
    callbacks.CAUTION_NONE: Caution.NONE,
    callbacks.CAUTION_APPLIES: Caution.APPLIES,
    callbacks.CAUTION_CLEARED: Caution.CLEARED,
}


async def caution_button(update: Update, context: BotContext) -> None:
    """Record an answer to the caution check and show what it leads to, or retake the check."""
    pressed = await pressed_button(update, context)
    if pressed is None:
        return
    query, data, chat = pressed
    content, store, now = context.content, context.store, context.now()
    if data == callbacks.CAUTION_RETAKE:
        retaken = store.set_caution(chat.id, None, now)
        await query.answer(content.answers["caution_retake"])
        await edit(query, render_settings.settings(content, retaken, now))
        return
    pressed_answer = callbacks.parse_caution(data)
    technique = (
        content.technique(pressed_answer.technique_id) if pressed_answer.technique_id else None
    )
    tip = store.tip(pressed_answer.tip_id) if pressed_answer.tip_id else None
    subscriber = (
        None
        if technique is None and tip is None
        else store.answer_caution(chat.id, _ANSWERS[pressed_answer.answer], now)
    )
    if subscriber is None:  # nothing to show, or an answer that may not follow the last
        await query.answer(content.answers["stale"])
        return
    await query.answer()
    if subscriber.caution is Caution.APPLIES:
        await edit(query, render_safety.doctor_first(content, pressed_answer.target))
        return
    # The answer allows massage; whatever else holds it still does (the one decision).
    allowed = decision(chat, context)
    if allowed.permit is None:
        await edit(query, render_safety.massage_held(content, allowed, pressed_answer.target))
        return
    if tip is not None:
        # The check came in place of this tip: now it may be shown, in the same message.
        pick = NextTip(tip, program_done=subscriber.program_done, permit=allowed.permit)
        reply = (
            render_tips.daily_tip(content, pick, checkin_prompt=subscriber.checkin_prompt)
            if pressed_answer.daily
            else render_tips.tip(content, pick)
        )
        await edit(query, reply)
        return
    assert technique is not None
    if pressed_answer.session:
        # Asked before a guided session: it begins now, below the answered check (the
        # Mini App offered first when it is on).
        await begin(chat, context, technique, allowed.permit)
        return
    # The check is a text message and cannot become a picture: the card comes below it.
    await send_card(chat, context, technique, allowed.permit)


async def take_button(update: Update, context: BotContext) -> None:
    """ "Take the safety check" on a held card: the check, whose answer goes on to what
    the card was shown for."""
    pressed = await pressed_button(update, context)
    if pressed is None:
        return
    query, data, _ = pressed
    await query.answer()
    target = data.removeprefix(callbacks.CAUTION_TAKE_PREFIX)
    await edit(query, render_safety.caution_check(context.content, target))


async def clinician_seen(update: Update, context: BotContext) -> None:
    """ "A clinician has seen me" (on a held card, or in /settings): lift the hold a
    reported warning sign set, and say what, if anything, still holds massage."""
    pressed = await pressed_button(update, context)
    if pressed is None:
        return
    query, _, chat = pressed
    content = context.content
    _, changed = context.store.clinician_seen(chat.id, context.now())
    if not changed:
        await query.answer(content.answers["clinician_seen_not_held"])
        return
    await query.answer()
    await send_to(chat, render_safety.clinician_seen(content, decision(chat, context)))


async def safety_button(update: Update, context: BotContext) -> None:
    """The held card's buttons: "Take the safety check" and "A clinician has seen me"."""
    query = update.callback_query
    if query is not None and query.data == callbacks.CLINICIAN_SEEN:
        await clinician_seen(update, context)
    else:
        await take_button(update, context)
