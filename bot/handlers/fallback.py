"""Everything no other handler took: unknown commands, free text, stickers, stale buttons."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.handlers.common import pressed_button, send
from bot.render import pages as render_pages
from content.warning_words import names_warning_sign


async def unknown(update: Update, context: BotContext) -> None:
    """What the bot can do now, the warning signs first when the words name one (in any
    language the bot speaks). What was typed is only read here: never stored, logged or
    echoed."""
    message = update.effective_message
    typed = (message.text or message.caption or "") if message is not None else ""
    languages = (content.warning_words for content in context.services.contents.values())
    reply = render_pages.fallback(
        context.content, warning_sign=names_warning_sign(typed, languages)
    )
    await send(update, reply)


async def stale_button(update: Update, context: BotContext) -> None:
    """Answer a button press nothing else recognised (old, or forged), so no spinner is left."""
    pressed = await pressed_button(update, context)  # answers a press with no chat itself
    if pressed is not None:
        await pressed[0].answer(context.content.answers["stale"])
