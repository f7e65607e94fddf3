"""/subscribe and /unsubscribe, and the subscribe button."""

from __future__ import annotations

import logging

from telegram import Update

from bot import render
from bot.context import BotContext
from bot.handlers.common import pressed_button, send
from storage.rules.schedule import local_date

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
    now = context.now()
    newcomer = subscriber.tip_cursor == 0
    due = subscriber.next_due
    if (
        newcomer
        and due is not None
        and local_date(due, subscriber.zone) > local_date(now, subscriber.zone)
    ):
        # Today's tip time has passed: day 1 now counts as today's, day 2 comes tomorrow.
        await send(update, render.subscribed(content, subscriber, now, new=False))
        pick = context.store.take_first_tip(chat.id, now)
        await send(update, render.first_tip(content, pick))
        return
    await send(update, render.subscribed(content, subscriber, now, new=newcomer))


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
    pressed = await pressed_button(update, context)
    if pressed is None:
        return
    await pressed[0].answer()
    await subscribe_chat(update, context)
