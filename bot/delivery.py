"""The daily tip: one periodic job that asks storage who is due and sends their tip."""

from __future__ import annotations

import logging

from telegram.error import BadRequest, Forbidden, TelegramError

from bot import render
from bot.context import BotContext, Services
from storage import Subscriber
from storage.schedule import local_date

logger = logging.getLogger(__name__)

#: Subscribers taken from the due index per query.
BATCH_SIZE = 100
JOB_NAME = "daily-tips"


async def deliver_due_tips(context: BotContext) -> None:
    """Send every tip that is due now, earliest first, stopping early on shutdown."""
    services = context.services
    handled: set[int] = set()
    while context.application.running:
        batch = [
            s for s in services.store.due(services.clock(), BATCH_SIZE) if s.chat_id not in handled
        ]
        if not batch:
            return
        for subscriber in batch:
            if not context.application.running:
                return
            handled.add(subscriber.chat_id)
            await deliver(context, services, subscriber)


async def deliver(context: BotContext, services: Services, subscriber: Subscriber) -> None:
    """Send one subscriber the tip that is due, recording it before and after sending."""
    store, now = services.store, services.clock()
    assert subscriber.next_due is not None
    zone = subscriber.zone
    day = local_date(subscriber.next_due, zone)
    if day < local_date(now, zone):
        # That whole local day passed while the bot was down: skip it rather than send late.
        store.skip_day(subscriber.chat_id, day, now)
        return
    tip = store.claim(subscriber.chat_id, day, now)
    if tip is None:
        return
    reply = render.daily_tip(services.content, tip.text)
    try:
        message = await context.bot.send_message(
            subscriber.chat_id, reply.text, reply_markup=reply.keyboard
        )
    except (Forbidden, BadRequest) as error:
        if isinstance(error, Forbidden) or "chat not found" in error.message.lower():
            logger.info("chat %s is gone (%s): unsubscribed", subscriber.chat_id, error.message)
            store.set_blocked(subscriber.chat_id, True, services.clock())
        else:
            logger.error("daily tip refused for chat %s: %s", subscriber.chat_id, error.message)
        store.mark_failed(subscriber.chat_id, day, services.clock())
    except TelegramError as error:
        retry = store.mark_failed(subscriber.chat_id, day, services.clock())
        logger.warning(
            "daily tip to chat %s failed (%s); retry at %s",
            subscriber.chat_id,
            error.message,
            retry,
        )
    else:
        store.mark_sent(subscriber.chat_id, day, tip, message.message_id, services.clock())
