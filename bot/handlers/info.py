"""/safety and /benefits, as commands and as buttons."""

from __future__ import annotations

from telegram import Update

from bot import callbacks, render
from bot.context import BotContext
from bot.handlers.common import send


async def safety(update: Update, context: BotContext) -> None:
    """Show the safety page."""
    await send(update, render.page(context.content, "safety"))


async def benefits(update: Update, context: BotContext) -> None:
    """Show what massage can and cannot do."""
    await send(update, render.page(context.content, "benefits"))


async def page_button(update: Update, context: BotContext) -> None:
    """Open the safety or benefits page as a new message, keeping the one pressed."""
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    key = "safety" if query.data == callbacks.SAFETY else "benefits"
    await send(update, render.page(context.content, key))
