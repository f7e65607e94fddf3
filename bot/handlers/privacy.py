"""/privacy and /deletedata, with its confirm and cancel buttons."""

from __future__ import annotations

import logging

from telegram import Update

from bot import callbacks, render
from bot.context import BotContext
from bot.handlers.common import edit, pressed_button, send

logger = logging.getLogger(__name__)


async def privacy(update: Update, context: BotContext) -> None:
    """Say what the bot stores, why, for how long, and how to erase it."""
    await send(update, render.privacy(context.content, context.services.settings.keep_days))


async def delete_data(update: Update, context: BotContext) -> None:
    """Ask before deleting anything: the buttons below do the work."""
    await send(update, render.delete_confirm(context.content))


async def delete_button(update: Update, context: BotContext) -> None:
    """Delete everything about the chat the button was pressed in, or cancel.

    The chat comes from the update, never from the button's data, so a forged or
    forwarded button can only ever erase the presser's own chat.
    """
    pressed = await pressed_button(update, context)
    if pressed is None:
        return
    query, data, chat = pressed
    content = context.content
    await query.answer()
    if data != callbacks.DELETE_CONFIRM:
        await edit(query, render.Reply(content.message("delete_cancelled")))
        return
    rows = context.store.delete_chat(chat.id)
    context.services.drawings.forget(chat.id)
    logger.info("chat data deleted: %d rows", rows)
    await edit(query, render.Reply(content.message("deleted")))
