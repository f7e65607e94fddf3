"""The caution check's answers, and retaking the check from /settings."""

from __future__ import annotations

from telegram import Update

from bot import callbacks, render
from bot.context import BotContext
from bot.handlers.common import edit, pressed_button
from bot.handlers.technique import send_card
from storage import Caution

#: Each answer button, the answer it records, and the answers it may follow. "None apply"
#: cannot overrule "something applies" (an old check message pressed later), and "my doctor
#: has cleared me" only follows "something applies": a forged press is answered as stale.
_ANSWERS = {
    callbacks.CAUTION_NONE: (Caution.NONE, {None, Caution.NONE}),
    callbacks.CAUTION_APPLIES: (Caution.APPLIES, {None, *Caution}),
    callbacks.CAUTION_CLEARED: (Caution.CLEARED, {Caution.APPLIES, Caution.CLEARED}),
}


async def caution_button(update: Update, context: BotContext) -> None:
    """Record an answer to the caution check and show what it leads to, or retake the check."""
    pressed = pressed_button(update)
    if pressed is None:
        return
    query, data, chat = pressed
    content, store, now = context.content, context.store, context.now()
    if data == callbacks.CAUTION_RETAKE:
        subscriber = store.set_caution(chat.id, None, now)
        await query.answer(content.answers["caution_retake"])
        await edit(query, render.settings(content, subscriber, now))
        return
    answer, _, technique_id = data.removeprefix(callbacks.CAUTION_PREFIX).partition(":")
    found = content.technique(technique_id)
    before = store.subscriber(chat.id)
    value, allowed_after = _ANSWERS[answer]
    if found is None or (before.caution if before else None) not in allowed_after:
        await query.answer(content.answers["stale"])
        return
    subscriber = store.set_caution(chat.id, value, now)
    await query.answer()
    if subscriber.caution is Caution.APPLIES:
        await edit(query, render.doctor_first(content, found))
        return
    # The check is a text message and cannot become a picture: the card comes below it.
    await send_card(chat, context, found)
