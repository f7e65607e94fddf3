"""The three questions that fit the tips to the person (from /settings, or offered after
the program), and "Why?" under a tip: where it comes from."""

from __future__ import annotations

from telegram import Update

from bot import callbacks
from bot.context import BotContext
from bot.handlers.common import edit, pressed_button, send_to
from bot.render import tips as render_tips

#: The subscriber column each question's answer is stored in (``Store.set_fit``).
_COLUMNS = {"knee": "below_knee", "days": "days_like", "focus": "focus"}
_FIRST = next(iter(callbacks.FIT_QUESTIONS))


async def fit_button(update: Update, context: BotContext) -> None:
    """Open the first question (in the pressed message from /settings, in a new one from
    under a tip), or store an answer (None when skipped) and edit in the next question,
    then the answers with "Change"."""
    pressed = await pressed_button(update, context)
    if pressed is None:
        return
    query, data, chat = pressed
    content = context.content
    if data in (callbacks.FIT, callbacks.FIT_ASK):
        await query.answer()
        first = render_tips.fit_question(content, _FIRST)
        if data == callbacks.FIT_ASK:
            await send_to(chat, first)
        else:
            await edit(query, first)
        return
    answer = callbacks.parse_fit(data)
    if answer is None:
        await query.answer(content.answers["stale"])
        return
    question, value = answer
    subscriber = context.store.set_fit(chat.id, context.now(), **{_COLUMNS[question]: value})
    await query.answer(content.answers["saved"])
    after = render_tips.next_fit_question(question)
    if after is None:
        await edit(query, render_tips.fit_summary(content, subscriber))
    else:
        await edit(query, render_tips.fit_question(content, after))


async def why_button(update: Update, context: BotContext) -> None:
    """Send where the tip comes from as a new message, keeping the tip as it is."""
    pressed = await pressed_button(update, context)
    if pressed is None:
        return
    query, data, chat = pressed
    await query.answer()
    await send_to(chat, render_tips.why(context.content, callbacks.parse_why(data)))
