"""/tip: the next tip in the chat's sequence, right now."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.handlers.common import send
from bot.render import tips as render_tips


async def tip(update: Update, context: BotContext) -> None:
    """Send the chat's next tip (or the caution check in its place); it does not count as
    the day's delivery."""
    chat = update.effective_chat
    if chat is None:
        return
    pick = context.store.take_tip(chat.id, context.now())
    await send(update, render_tips.tip(context.content, pick))
