"""my_chat_member updates: a user blocked or unblocked the bot."""

from __future__ import annotations

import logging

from telegram import ChatMember, Update

from bot.context import BotContext

logger = logging.getLogger(__name__)


async def membership(update: Update, context: BotContext) -> None:
    """Stop sending to a user who blocked the bot; resume when they unblock it."""
    change = update.my_chat_member
    if change is None or change.chat.type != change.chat.PRIVATE:
        return
    blocked = change.new_chat_member.status in (ChatMember.BANNED, ChatMember.LEFT)
    if context.store.set_blocked(change.chat.id, blocked, context.now()):
        logger.info("chat %s %s the bot", change.chat.id, "blocked" if blocked else "unblocked")
