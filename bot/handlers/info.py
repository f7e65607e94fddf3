"""/safety, /benefits, /urgent and /sources, as commands and as buttons."""

from __future__ import annotations

from telegram import Update

from bot import callbacks
from bot.context import BotContext
from bot.handlers.common import pressed_button, send, send_to
from bot.render import pages as render_pages

#: The page each page button opens (the handler's pattern lets only these through).
_PAGES = {
    callbacks.SAFETY: "safety",
    callbacks.BENEFITS: "benefits",
    callbacks.URGENT: "urgent",
    callbacks.SOURCES: "sources",
}


async def safety(update: Update, context: BotContext) -> None:
    """Show the safety page."""
    await send(update, render_pages.page(context.content, "safety"))


async def benefits(update: Update, context: BotContext) -> None:
    """Show what massage can and cannot do."""
    await send(update, render_pages.page(context.content, "benefits"))


async def urgent(update: Update, context: BotContext) -> None:
    """Show the urgent warning signs."""
    await send(update, render_pages.page(context.content, "urgent"))


async def sources(update: Update, context: BotContext) -> None:
    """Show the guidelines and reviews the content is based on."""
    await send(update, render_pages.page(context.content, "sources"))


async def page_button(update: Update, context: BotContext) -> None:
    """Open a page as a new message, keeping the one pressed."""
    pressed = await pressed_button(update, context)
    if pressed is None:
        return
    query, data, chat = pressed
    await query.answer()
    await send_to(chat, render_pages.page(context.content, _PAGES.get(data, "safety")))
