"""The error handler: log the failure, tell the user briefly, never show a traceback."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.context import BotContext

logger = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    """Log an exception raised while handling an update and send a short apology."""
    # Only the exception is logged: update contents (what the user typed) stay out of logs.
    logger.error("error while handling an update", exc_info=context.error)
    if not isinstance(update, Update):
        return
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(context.content.answers["stale"])
        chat = update.effective_chat
        if chat is not None and chat.type == chat.PRIVATE:
            await chat.send_message(context.content.message("error"))
    except TelegramError:
        logger.warning("could not tell the user about the error", exc_info=True)
