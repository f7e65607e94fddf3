"""Sending the technique pictures: each is uploaded once per bot and language, then sent by
the file id Telegram returned (kept in storage)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import Chat, InlineKeyboardMarkup, InputMediaPhoto, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.context import BotContext
from bot.sending import api_errors
from content import pictures

logger = logging.getLogger(__name__)

#: Sends a picture given its stored file id or its bytes; returns the message (None: no edit).
Attempt = Callable[[str | bytes], Awaitable[Message | bool | None]]


def media_key(language: str, picture_id: str) -> str:
    """Where a picture's Telegram file id is kept: one per picture and language."""
    return f"{language}/{picture_id}"


async def _by_file_id_or_upload(context: BotContext, picture_id: str, attempt: Attempt) -> None:
    """Run ``attempt`` with the stored file id; upload the file if there is none, or if
    Telegram refuses the id (one from another bot token), and keep the id it returns.

    Raises:
        BadRequest: any other refusal (a message that cannot be edited, say): the file id
            is fine and is kept.
    """
    language = context.language
    key = media_key(language, picture_id)
    store = context.store
    file_id = store.file_id(key)
    if file_id is not None:
        try:
            await attempt(file_id)
            return
        except BadRequest as error:
            if api_errors.not_modified(error):
                return  # a double tap on the same button
            if not api_errors.file_id_refused(error):
                raise
            logger.warning("stored file id for %s refused (%s); uploading", key, error.message)
            store.forget_file_id(key)
    message = await attempt(pictures.path(picture_id, language).read_bytes())
    if isinstance(message, Message) and message.photo:
        store.set_file_id(key, message.photo[-1].file_id, context.now())


async def send(
    chat: Chat,
    context: BotContext,
    picture_id: str,
    caption: str,
    keyboard: InlineKeyboardMarkup | None = None,
) -> None:
    """Send a picture in the user's language with an HTML caption (at most 1,024 characters)."""

    async def attempt(photo: str | bytes) -> Message:
        return await chat.send_photo(
            photo, caption=caption, reply_markup=keyboard, filename=f"{picture_id}.png"
        )

    await _by_file_id_or_upload(context, picture_id, attempt)


async def edit(
    message: Message,
    context: BotContext,
    picture_id: str,
    caption: str,
    keyboard: InlineKeyboardMarkup | None = None,
) -> None:
    """Turn a picture message into another picture with a new caption and keyboard; if the
    message can no longer be edited (deleted meanwhile, say), send the picture anew."""

    async def attempt(photo: str | bytes) -> Message | bool:
        media = InputMediaPhoto(
            photo, caption=caption, parse_mode=ParseMode.HTML, filename=f"{picture_id}.png"
        )
        return await message.edit_media(media, reply_markup=keyboard)

    try:
        await _by_file_id_or_upload(context, picture_id, attempt)
    except BadRequest as error:
        if api_errors.not_modified(error):
            return
        logger.info("could not edit a picture message (%s); sending it anew", error.message)
        await send(message.chat, context, picture_id, caption, keyboard)
