"""The feedback buttons under each daily tip: helpful, or not for me."""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.error import BadRequest

from bot import callbacks
from bot.context import BotContext
from bot.handlers.common import pressed_button
from bot.render import tips as render_tips

logger = logging.getLogger(__name__)


async def feedback_button(update: Update, context: BotContext) -> None:
    """Store the answer (a later press changes it) and put a thanks where the buttons were."""
    pressed = await pressed_button(update, context)
    if pressed is None:
        return
    query, data, chat = pressed
    content = context.content
    if data == callbacks.FEEDBACK_SAVED:
        await query.answer(content.answers["feedback_saved"])
        return
    helpful, tip_id = callbacks.parse_feedback(data)
    if content.tip(tip_id) is None or not context.store.answer_tip(
        chat.id, tip_id, helpful, context.now()
    ):
        # A tip since removed, or one this chat never got: nothing is stored.
        await query.answer(content.answers["stale"])
        return
    await query.answer()
    message = query.message
    if isinstance(message, Message):
        try:
            await message.edit_reply_markup(
                render_tips.feedback_given(content, message.reply_markup, helpful)
            )
        except BadRequest as error:
            # A double tap ("not modified"), or a message too old to edit: the answer is
            # stored either way.
            logger.info("could not replace the feedback buttons: %s", error.message)
