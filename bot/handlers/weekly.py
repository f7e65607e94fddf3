"""/weekly and the weekly look back's buttons (also in /settings): choose the day or turn
it off. The summaries go out from the weekly job (``bot.jobs.weekly``), only while the
chat is subscribed."""

from __future__ import annotations

from telegram import Update

from bot import callbacks
from bot.context import BotContext
from bot.handlers.common import edit, pressed_button, send
from bot.render import settings as render_settings


async def weekly(update: Update, context: BotContext) -> None:
    """The weekly look back's menu, with the day chosen now."""
    chat = update.effective_chat
    if chat is None:
        return
    await send(
        update, render_settings.weekly_menu(context.content, context.store.subscriber(chat.id))
    )


async def weekly_button(update: Update, context: BotContext) -> None:
    """Open the menu (from /settings), or record the chosen day (or off)."""
    pressed = await pressed_button(update, context)
    if pressed is None:
        return
    query, data, chat = pressed
    content, store = context.content, context.store
    chosen, weekday = callbacks.parse_weekly(data)
    await query.answer()
    if not chosen:
        await edit(query, render_settings.weekly_menu(content, store.subscriber(chat.id)))
        return
    subscriber = store.set_weekly(chat.id, weekday, context.now())
    await edit(query, render_settings.weekly_set(content, subscriber))
