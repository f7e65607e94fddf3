"""/checkin: a 0–10 pain score for today, and a nudge towards a clinician when scores rise."""

from __future__ import annotations

from telegram import Update

from bot import callbacks, render
from bot.context import BotContext
from bot.handlers.common import edit, pressed_button, send
from storage.checkins import MAX_SCORE, MIN_SCORE


async def checkin(update: Update, context: BotContext) -> None:
    """Ask how the back is today (the red-flag answer is a button to the urgent card)."""
    await send(update, render.checkin(context.content))


async def checkin_button(update: Update, context: BotContext) -> None:
    """Store the pressed score for today and thank the user, noting a rising trend."""
    pressed = pressed_button(update)
    if pressed is None:
        return
    query, data, chat = pressed
    content = context.content
    value = data.removeprefix(callbacks.CHECKIN_PREFIX)
    # The pattern lets only 0–10 through; anything else is a forged press, answered as stale.
    if not (value.isascii() and value.isdigit() and MIN_SCORE <= int(value) <= MAX_SCORE):
        await query.answer(content.answers["stale"])
        return
    score = int(value)
    rising = context.store.check_in(chat.id, score, context.now())
    await query.answer()
    await edit(query, render.checked_in(content, score, rising))
