"""The weekly job: the look back each chat chose, on its day at 18:00 local time.

Each chat is taken from the database (its next summary moved a week on) before its
message is sent, so nobody gets two; a bot that was down for a while sends one, not a
backlog. Chats that unsubscribed or blocked the bot are skipped.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from telegram.error import Forbidden, TelegramError

from bot import render
from bot.context import BotContext, Services
from storage import is_busy, schedule

logger = logging.getLogger(__name__)

JOB_NAME = "weekly"
BATCH = 100


class Weeklies:
    """Sends the weekly look backs that are due."""

    def __init__(self, services: Services) -> None:
        self.services = services

    async def tick(self, context: BotContext) -> None:
        """The job's callback."""
        await self.run(context.bot)

    async def run(self, bot: Any) -> int:
        """Send every weekly look back due now; return how many went out."""
        store, now = self.services.store, self.services.clock()
        try:
            due = store.due_weeklies(now, BATCH)
        except Exception as error:
            if not is_busy(error):
                raise
            return 0
        sent = 0
        for subscriber in due:
            if subscriber.blocked:
                continue
            today = schedule.local_date(now, subscriber.zone)
            days = [today - timedelta(days=back) for back in range(6, -1, -1)]
            checkins = {
                c.local_date: c.score for c in store.progress(subscriber.chat_id, now, 14).checkins
            }
            before = [score for day, score in checkins.items() if day < days[0]]
            sessions = len(
                [s for s in store.sessions(subscriber.chat_id) if days[0] <= s.local_date <= today]
            )
            content = self.services.content_for(subscriber.speaks)
            reply = render.weekly_summary(content, days, checkins, before, sessions)
            # It never suggests massage while the safety decision holds it, and says so.
            if store.massage(subscriber.chat_id, now).held:
                reply = render.Reply(f"{reply.text}\n\n{content.message('weekly_held')}")
            try:
                await bot.send_message(subscriber.chat_id, reply.text)
                sent += 1
            except Forbidden:
                continue
            except TelegramError as error:
                logger.warning("weekly look back to chat %s failed: %s", subscriber.chat_id, error)
        return sent
