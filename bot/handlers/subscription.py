"""/subscribe and /unsubscribe, and the subscribe button."""

from __future__ import annotations

import logging

from telegram import Update

from bot import render
from bot.context import BotContext
from bot.handlers.common import send

logger = logging.getLogger(__name__)


async def subscribe_chat(update: Update, context: BotContext) -> None:
    """Subscribe the chat and say when tips come; a first tip comes right away."""
    chat = update.effective_chat
    if chat is None:
        return
    content = context.content
    subscriber, changed = context.store.subscribe(chat.id, context.now())
    if not changed:
        await send(update, render.subscription(content, "already_subscribed", subscriber))
        return
    logger.info("chat subscribed")
    await send(update, render.subscription(content, "subscribed", subscriber))
    if subscriber.tip_cursor == 0:
        # A first tip to start with; it is not the day's delivery, which still comes on time.
        tip = context.store.take_tip(chat.id, context.now())
        await send(update, render.Reply(f"{content.message('first_tip')}\n\n{tip.text}"))


async def subscribe(update: Update, context: BotContext) -> None:
    """Turn the daily tip on."""
    await subscribe_chat(update, context)


async def unsubscribe(update: Update, context: BotContext) -> None:
    """Turn the daily tip off."""
    chat = update.effective_chat
    if chat is None:
        return
    subscriber, changed = context.store.unsubscribe(chat.id, context.now())
    if changed:
        logger.info("chat unsubscribed")
    key = "unsubscribed" if changed else "not_subscribed"
    await send(update, render.subscription(context.content, key, subscriber))


async def subscribe_button(update: Update, context: BotContext) -> None:
    """The subscribe button under /start."""
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    await subscribe_chat(update, context)
