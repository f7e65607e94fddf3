"""The snooze job: daily tips put off with "Later" go out again when their time comes.

Each is taken from the database before it is sent (``Store.due_snoozes``), so a stop or a
crash while sending loses at most that one repeat and never sends it twice. A chat that
blocked the bot since, or erased its data, is skipped, and so is every tip of a chat
that paused its tips since. A tip about massage asks the safety decision again: if
something holds massage now (a caution, /flare, a session's pain stop...), the repeat says
so instead of sending the tip.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram.error import Forbidden, TelegramError

from bot import render
from bot.context import BotContext, Services
from storage import Hold, is_busy

logger = logging.getLogger(__name__)

JOB_NAME = "later"
#: Put-off tips taken per pass.
BATCH = 100


class Snoozes:
    """Sends put-off tips that are due."""

    def __init__(self, services: Services) -> None:
        self.services = services

    async def tick(self, context: BotContext) -> None:
        """The job's callback."""
        await self.run(context.bot)

    async def run(self, bot: Any) -> int:
        """Send every put-off tip due now; return how many went out."""
        store, clock = self.services.store, self.services.clock
        try:
            due = store.due_snoozes(clock(), BATCH)
        except Exception as error:
            if not is_busy(error):
                raise
            return 0  # another process writes: the next tick takes them
        sent = 0
        for delivery in due:
            subscriber = store.subscriber(delivery.chat_id)
            tip = store.tip(delivery.tip_id) if delivery.tip_id else None
            if subscriber is None or tip is None or not subscriber.active:
                continue
            allowed = store.massage(delivery.chat_id, clock(), delivery=True)
            if Hold.PAUSED in allowed.holds:
                continue  # paused since: no tips at all until the pause ends
            content = self.services.content_for(subscriber.speaks)
            # A tip about massage that something holds now is replaced by why (tip_again).
            reply = render.tip_again(content, tip, allowed)
            try:
                await bot.send_message(delivery.chat_id, reply.text, reply_markup=reply.keyboard)
                sent += 1
            except Forbidden:
                continue  # blocked since: the membership update marks it
            except TelegramError as error:
                logger.warning("put-off tip to chat %s failed: %s", delivery.chat_id, error)
        return sent
