"""/start (with the "subscribe" deep link) and /help."""

from __future__ import annotations

from telegram import Update

from bot import render
from bot.context import BotContext
from bot.handlers.common import send
from bot.handlers.subscription import subscribe_chat

#: The deep-link payload of https://t.me/<bot>?start=subscribe
SUBSCRIBE_PAYLOAD = "subscribe"


async def start(update: Update, context: BotContext) -> None:
    """Welcome the user; ``/start subscribe`` also subscribes at once."""
    await send(update, render.welcome(context.content))
    if context.args and context.args[0] == SUBSCRIBE_PAYLOAD:
        await subscribe_chat(update, context)


async def help_command(update: Update, context: BotContext) -> None:
    """List every command."""
    await send(update, render.help_text(context.content))
