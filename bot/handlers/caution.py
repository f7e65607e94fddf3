"""The caution check's answers, and retaking the check from /settings."""

from __future__ import annotations

from telegram import Update

from bot import callbacks, render
from bot.context import BotContext
from bot.handlers.common import edit, pressed_button
from bot.handlers.technique import send_card
from storage import Caution, NextTip

#: Each answer button, the answer it records, and the states it may follow. "None apply"
#: cannot overrule "something applies" (an old check message pressed later), and "my doctor
#: has cleared me" only follows "something applies": a forged press is answered as stale.
_ANSWERS = {
    callbacks.CAUTION_NONE: (Caution.NONE, {None, Caution.ASKED, Caution.NONE}),
    callbacks.CAUTION_APPLIES: (Caution.APPLIES, {None, *Caution}),
    callbacks.CAUTION_CLEARED: (Caution.CLEARED, {Caution.APPLIES, Caution.CLEARED}),
}


async def caution_button(update: Update, context: BotContext) -> None:
    """Record an answer to the caution check and show what it leads to, or retake the check."""
    pressed = await pressed_button(update, context)
    if pressed is None:
        return
    query, data, chat = pressed
    content, store, now = context.content, context.store, context.now()
    if data == callbacks.CAUTION_RETAKE:
        subscriber = store.set_caution(chat.id, None, now)
        await query.answer(content.answers["caution_retake"])
        await edit(query, render.settings(content, subscriber, now))
        return
    pressed_answer = callbacks.parse_caution(data)
    technique = (
        content.technique(pressed_answer.technique_id) if pressed_answer.technique_id else None
    )
    tip = store.tip(pressed_answer.tip_id) if pressed_answer.tip_id else None
    before = store.subscriber(chat.id)
    value, allowed_after = _ANSWERS[pressed_answer.answer]
    if (technique is None and tip is None) or (
        before.caution if before else None
    ) not in allowed_after:
        await query.answer(content.answers["stale"])
        return
    subscriber = store.set_caution(chat.id, value, now)
    await query.answer()
    if subscriber.caution is Caution.APPLIES:
        await edit(query, render.doctor_first(content, pressed_answer.target))
        return
    if tip is not None:
        # The check came in place of this tip: now it may be shown, in the same message.
        pick = NextTip(tip, program_done=subscriber.program_done)
        reply = (
            render.daily_tip(content, pick, checkin_prompt=subscriber.checkin_prompt)
            if pressed_answer.daily
            else render.tip(content, pick)
        )
        await edit(query, reply)
        return
    assert technique is not None
    # The check is a text message and cannot become a picture: the card comes below it.
    await send_card(chat, context, technique)
