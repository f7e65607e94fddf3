"""/start (with the "subscribe" deep link) and /help."""

from __future__ import annotations

from telegram import Update

from bot import callbacks
from bot.context import BotContext
from bot.handlers.common import send
from bot.handlers.subscription import subscribe
from bot.handlers.technique import open_technique
from bot.render import pages as render_pages

#: The deep-link payload of https://t.me/<bot>?start=subscribe
SUBSCRIBE_PAYLOAD = "subscribe"


async def start(update: Update, context: BotContext) -> None:
    """Welcome the user; ``/start subscribe`` also subscribes at once, and a technique's
    link (``/start technique-kneading``, on shared cards) opens that technique, through the
    caution check for someone new."""
    payload = context.args[0] if context.args else ""
    technique_id = callbacks.parse_technique_link(payload)
    technique = context.content.technique(technique_id) if technique_id else None
    if technique is not None:
        await open_technique(update, context, technique)
        return
    if payload == callbacks.URGENT_LINK:
        await send(update, render_pages.page(context.content, "urgent"))
        return
    await send(update, render_pages.welcome(context.content))
    if payload == SUBSCRIBE_PAYLOAD:
        await subscribe(update, context)


async def help_command(update: Update, context: BotContext) -> None:
    """List every command."""
    await send(update, render_pages.help_text(context.content))
