"""/privacy; /mydata and /export, the chat's own data as files; /deletedata, with its
confirm and cancel buttons."""

from __future__ import annotations

import logging

from telegram import Update

from bot import callbacks
from bot.context import BotContext
from bot.handlers.common import edit, pressed_button, send
from bot.render import pages as render_pages
from bot.render.common import Reply
from storage import export

logger = logging.getLogger(__name__)


async def privacy(update: Update, context: BotContext) -> None:
    """Say what the bot stores, why, for how long, and how to erase it."""
    await send(update, render_pages.privacy(context.content, context.services.settings.keep_days))


async def my_data(update: Update, context: BotContext) -> None:
    """Send everything stored about the chat as a JSON file it can keep or forward."""
    chat = update.effective_chat
    if chat is None:
        return
    content, now = context.content, context.now()
    if not context.store.chat_record(chat.id):
        await send(update, Reply(content.message("mydata_empty")))
        return
    data = export.record_json(context.store.chat_record(chat.id), chat.id, now)
    await chat.send_document(
        data,
        filename=f"backcare-mydata-{now:%Y-%m-%d}.json",
        caption=content.message("mydata_caption"),
    )


async def export_days(update: Update, context: BotContext) -> None:
    """Send the chat's days as a CSV table (one row per day)."""
    chat = update.effective_chat
    if chat is None:
        return
    content, now = context.content, context.now()
    data = export.days_csv(context.store.record(chat.id, now, days=None))
    if data is None:
        await send(update, Reply(content.message("export_empty")))
        return
    await chat.send_document(
        data,
        filename=f"backcare-days-{now:%Y-%m-%d}.csv",
        caption=content.message("export_caption"),
    )


async def delete_data(update: Update, context: BotContext) -> None:
    """Ask before deleting anything: the buttons below do the work."""
    await send(update, render_pages.delete_confirm(context.content))


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
        await edit(query, Reply(content.message("delete_cancelled")))
        return
    rows = context.store.delete_chat(chat.id)
    context.services.drawings.forget(chat.id)
    logger.info("chat data deleted: %d rows", rows)
    await edit(query, Reply(content.message("deleted")))
