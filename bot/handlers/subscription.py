"""/subscribe and /unsubscribe, the subscribe button, and subscribing: the one way every
path (the command, its deep link, the buttons under /start and in /settings) subscribes."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import Chat, Update

from bot.context import BotContext
from bot.handlers.common import pressed_button, send, send_to
from bot.render import settings as render_settings
from bot.render import tips as render_tips
from storage import DayOne, Subscriber

logger = logging.getLogger(__name__)

#: How a path says the chat is subscribed, before day 1 comes: given the settings, whether
#: this changed anything, and when day 1 comes (None: the chat had tips before).
Acknowledge = Callable[[Subscriber, bool, DayOne | None], Awaitable[None]]


async def subscribe_chat(chat: Chat, context: BotContext, acknowledge: Acknowledge) -> None:
    """Subscribe ``chat`` and ``acknowledge`` it; a newcomer whose tip time today has passed
    then gets day 1 at once, as today's tip."""
    now = context.now()
    subscriber, changed = context.store.subscribe(chat.id, now)
    if changed:
        logger.info("chat subscribed")
    day_one = subscriber.day_one(now) if changed else None
    await acknowledge(subscriber, changed, day_one)
    if day_one is DayOne.NOW:
        pick = context.store.take_first_tip(chat.id, now)
        await send_to(chat, render_tips.first_tip(context.content, pick))


async def subscribe(update: Update, context: BotContext) -> None:
    """Turn the daily tip on, and say when tips come."""
    chat = update.effective_chat
    if chat is None:
        return
    content, now = context.content, context.now()

    async def acknowledge(subscriber: Subscriber, changed: bool, day_one: DayOne | None) -> None:
        if not changed:
            await send_to(
                chat, render_settings.subscription(content, "already_subscribed", subscriber)
            )
            return
        later = day_one is DayOne.LATER
        await send_to(chat, render_settings.subscribed(content, subscriber, now, new=later))

    await subscribe_chat(chat, context, acknowledge)


async def unsubscribe(update: Update, context: BotContext) -> None:
    """Turn the daily tip off."""
    chat = update.effective_chat
    if chat is None:
        return
    subscriber, changed = context.store.unsubscribe(chat.id, context.now())
    if changed:
        logger.info("chat unsubscribed")
    key = "unsubscribed" if changed else "not_subscribed"
    await send(update, render_settings.subscription(context.content, key, subscriber))


async def subscribe_button(update: Update, context: BotContext) -> None:
    """The subscribe button under /start: the same as /subscribe."""
    pressed = await pressed_button(update, context)
    if pressed is None:
        return
    await pressed[0].answer()
    await subscribe(update, context)
