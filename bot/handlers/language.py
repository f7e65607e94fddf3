"""/language and its buttons, and remembering the language of each user's Telegram app."""

from __future__ import annotations

from telegram import Update

from bot import callbacks
from bot.context import BotContext, language_for
from bot.handlers.common import command_argument, edit, pressed_button, send
from bot.render import pages as render_pages
from bot.render.common import Reply
from content import LANGUAGES
from storage import is_busy

#: What /language accepts besides the codes themselves.
NAMES = {
    "english": "en",
    "chinese": "zh",
    "中文": "zh",
    "汉语": "zh",
    "简体": "zh",
    "简体中文": "zh",
}


async def language(update: Update, context: BotContext) -> None:
    """Switch the language (/language zh), or offer the choice."""
    chat = update.effective_chat
    if chat is None:
        return
    argument = command_argument(update).lower()
    chosen = argument if argument in LANGUAGES else NAMES.get(argument)
    if chosen is None:
        await send(update, render_pages.language_menu(context.content))
        return
    await send(update, _switch(chat.id, context, chosen))


async def language_button(update: Update, context: BotContext) -> None:
    """A language button: switch, and say so in the new language."""
    pressed = await pressed_button(update, context)
    if pressed is None:
        return
    query, data, chat = pressed
    chosen = callbacks.parse_language(data)
    if chosen not in LANGUAGES:
        await query.answer(context.content.answers["stale"])
        return
    reply = _switch(chat.id, context, chosen)
    await query.answer()
    await edit(query, reply)


def _switch(chat_id: int, context: BotContext, chosen: str) -> Reply:
    """Record the chosen language (/language and its buttons alike): the reply says so in it."""
    context.store.set_language(chat_id, chosen, context.now())
    context.forget_language()
    return Reply(context.content.message("language_set"))


async def note_language(update: Update, context: BotContext) -> None:
    """After every update: remember the language the user's app reports, for daily tips."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None or user.is_bot or chat.type != chat.PRIVATE:
        return  # a group's members speak many languages; nothing is kept about a group
    try:
        context.store.note_telegram_language(
            chat.id, language_for(user.language_code), context.now()
        )
    except Exception as error:
        if not is_busy(error):
            raise
        # Bookkeeping only: the next update from this chat notes it.
