"""Everything no other handler took: unknown commands, free text, stickers, stale buttons."""

from __future__ import annotations

from telegram import Update

from bot import render
from bot.context import BotContext
from bot.handlers.common import pressed_button, send


async def unknown(update: Update, context: BotContext) -> None:
    """Point the user to /help."""
    await send(update, render.Reply(context.content.message("fallback")))


async def stale_button(update: Update, context: BotContext) -> None:
    """Answer a button press nothing else recognised (old, or forged), so no spinner is left."""
    pressed = await pressed_button(update, context)  # answers a press with no chat itself
    if pressed is not None:
        await pressed[0].answer(context.content.answers["stale"])
