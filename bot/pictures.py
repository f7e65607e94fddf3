"""Sending the technique pictures: each is uploaded once per bot and language, then sent by
the file id Telegram returned (kept in storage)."""

from __future__ import annotations

import logging

from telegram import Chat, InlineKeyboardMarkup, InputMediaPhoto, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.context import BotContext
from content import pictures

logger = logging.getLogger(__name__)


def _key(language: str, picture_id: str) -> str:
    return f"{language}/{picture_id}"


def _upload(language: str, picture_id: str) -> bytes:
    return pictures.path(picture_id, language).read_bytes()


def _remember(context: BotContext, key: str, message: Message) -> None:
    if message.photo:
        context.store.set_file_id(key, message.photo[-1].file_id, context.now())


async def send(
    chat: Chat,
    context: BotContext,
    picture_id: str,
    caption: str,
    keyboard: InlineKeyboardMarkup | None = None,
) -> Message:
    """Send a picture in the user's language with an HTML caption (at most 1,024 characters)."""
    language = context.language
    key = _key(language, picture_id)
    file_id = context.store.file_id(key)
    if file_id is not None:
        try:
            return await chat.send_photo(file_id, caption=caption, reply_markup=keyboard)
        except BadRequest as error:
            # A file id from another bot token, or one Telegram dropped: upload again.
            logger.warning("stored file id for %s refused (%s); uploading", key, error.message)
            context.store.forget_file_id(key)
    message = await chat.send_photo(
        _upload(language, picture_id),
        caption=caption,
        reply_markup=keyboard,
        filename=f"{picture_id}.png",
    )
    _remember(context, key, message)
    return message


async def edit(
    message: Message,
    context: BotContext,
    picture_id: str,
    caption: str,
    keyboard: InlineKeyboardMarkup | None = None,
) -> None:
    """Turn a picture message into another picture with a new caption and keyboard."""
    language = context.language
    key = _key(language, picture_id)
    file_id = context.store.file_id(key)
    if file_id is not None:
        try:
            await message.edit_media(
                InputMediaPhoto(file_id, caption=caption, parse_mode=ParseMode.HTML),
                reply_markup=keyboard,
            )
            return
        except BadRequest as error:
            if "not modified" in error.message:
                return  # a double tap
            logger.warning("stored file id for %s refused (%s); uploading", key, error.message)
            context.store.forget_file_id(key)
    edited = await message.edit_media(
        InputMediaPhoto(
            _upload(language, picture_id),
            caption=caption,
            parse_mode=ParseMode.HTML,
            filename=f"{picture_id}.png",
        ),
        reply_markup=keyboard,
    )
    if isinstance(edited, Message):
        _remember(context, key, edited)
