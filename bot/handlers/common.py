"""Small helpers shared by the handlers: sending a Reply and editing into one."""

from __future__ import annotations

import logging

from telegram import CallbackQuery, Chat, Message, Update
from telegram.error import BadRequest

from bot.context import BotContext
from bot.render.common import Photo, Reply
from bot.sending import api_errors

logger = logging.getLogger(__name__)


async def send(update: Update, reply: Reply) -> Message | None:
    """Send ``reply`` to the chat the update came from; do nothing if it has no chat."""
    chat = update.effective_chat
    if chat is None:
        return None
    return await send_to(chat, reply)


async def send_to(chat: Chat, reply: Reply) -> Message:
    """Send ``reply`` (text and keyboard) to ``chat``: the one way a handler sends a Reply."""
    return await chat.send_message(reply.text, reply_markup=reply.keyboard)


async def send_photo(chat: Chat, photo: Photo) -> Message:
    """Send ``photo`` with its caption and keyboard to ``chat``."""
    return await chat.send_photo(photo.image, caption=photo.caption, reply_markup=photo.keyboard)


async def edit(query: CallbackQuery, reply: Reply) -> None:
    """Edit the message a button belongs to into ``reply``, or send it anew if that fails."""
    message = query.message
    if isinstance(message, Message):
        try:
            await message.edit_text(reply.text, reply_markup=reply.keyboard)
            return
        except BadRequest as error:
            # "message is not modified" (a double tap) needs nothing; an old or deleted
            # message cannot be edited, so the reply goes out as a new message.
            if api_errors.not_modified(error):
                return
            logger.info("could not edit message: %s", error.message)
    if message is not None:
        await send_to(message.chat, reply)
    else:
        # A button on a message sent via inline mode has no chat: answer in private.
        await query.get_bot().send_message(
            query.from_user.id, reply.text, reply_markup=reply.keyboard
        )


async def pressed_button(
    update: Update, context: BotContext
) -> tuple[CallbackQuery, str, Chat] | None:
    """The pressed button's query, its data and its chat: how every button handler starts.

    None when the update is not a press, or the press has no data or no chat to act in;
    such a press is answered as stale here, so no client is left with a spinner.
    """
    query, chat = update.callback_query, update.effective_chat
    if query is None:
        return None
    if query.data is None or chat is None:
        await query.answer(context.content.answers["stale"])
        return None
    return query, query.data, chat


def app_address(chat: Chat, context: BotContext) -> str | None:
    """The Mini App's address when it is on and ``chat`` is private (Telegram takes web_app
    buttons there only), else None: then nothing mentions it."""
    if chat.type != Chat.PRIVATE:
        return None
    return context.services.settings.webapp_url


def command_argument(update: Update) -> str:
    """Return the text after the command (and its @botname), or "" if none."""
    message = update.effective_message
    text = message.text if message and message.text else ""
    parts = text.split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""
