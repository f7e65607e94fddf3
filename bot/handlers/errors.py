"""The error handler: log the failure, tell the user briefly, never show a traceback."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.context import BotContext
from storage import is_busy

logger = logging.getLogger(__name__)

#: How many recent updates are remembered as apologised for.
_REMEMBERED = 1024


async def on_error(update: object, context: BotContext) -> None:
    """Log an exception raised while handling an update and send one short apology.

    A damaged database stops the bot (``Runtime.stop_on_damage``): jobs' errors come
    here too. Another process holding the database's lock is not a fault: the user is asked
    to send it again in a minute. An update whose handlers fail twice (say, the command and
    the language bookkeeping after it) gets one apology, never two.
    """
    if context.error is not None and context.runtime.stop_on_damage(context.error):
        return  # the bot stops and `run` says why (exit 3); a reply would fail on it too
    busy = is_busy(context.error) if context.error else False
    # Only the exception is logged: update contents (what the user typed) stay out of logs.
    if busy:
        logger.warning("the database is locked by another process; update not handled")
    else:
        logger.error("error while handling an update", exc_info=context.error)
    if not isinstance(update, Update) or not _first_apology(context, update.update_id):
        return
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(context.content.answers["busy" if busy else "stale"])
        chat = update.effective_chat
        if chat is not None and chat.type == chat.PRIVATE:
            await chat.send_message(context.content.message("busy" if busy else "error"))
    except TelegramError:
        logger.warning("could not tell the user about the error", exc_info=True)


def _first_apology(context: BotContext, update_id: int) -> bool:
    """True the first time an update is apologised for (the last _REMEMBERED are kept)."""
    apologised = context.runtime.apologised
    if update_id in apologised:
        return False
    apologised[update_id] = None
    if len(apologised) > _REMEMBERED:
        apologised.popitem(last=False)
    return True
