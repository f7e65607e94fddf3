"""The weekly job: the look back each chat chose, on its day at 18:00 local time.

Each chat is taken from the database (its next look back moved a week on) before its
message is sent, so nobody gets two; a bot that was down for a while sends one, not a
backlog, and those a stop left unsent are given back. Chats that blocked the bot are
skipped. Sent through the one fan-out (``bot.sending.fanout``), like put-off tips.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from bot.jobs.base import SendingJob
from bot.render import progress as render_progress
from bot.render.common import Reply
from bot.sending.fanout import Outgoing
from storage import Subscriber
from storage.record import WEEK

logger = logging.getLogger(__name__)

JOB_NAME = "weekly"


class Weeklies(SendingJob[Subscriber]):
    """Sends the weekly look backs that are due."""

    name = JOB_NAME

    def take(self, limit: int) -> list[Outgoing[Subscriber]]:
        now = self.services.clock()
        taken = []
        for subscriber in self.services.store.due_weeklies(now, limit):
            if subscriber.blocked:
                continue
            try:
                reply = self._render(subscriber, now)
            except Exception:  # one chat's message never stops the others
                logger.exception("weekly look back for chat %s failed", subscriber.chat_id)
                continue
            taken.append(Outgoing(subscriber.chat_id, reply.text, reply.keyboard, subscriber))
        return taken

    def _render(self, subscriber: Subscriber, now: datetime) -> Reply:
        record = self.services.store.record(subscriber.chat_id, now, days=2 * WEEK)
        content = self.services.content_for(subscriber.speaks)
        reply = render_progress.weekly_summary(content, record.look_back())
        # It never suggests massage while the safety decision holds it, and says so.
        if record.held:
            reply = Reply(f"{reply.text}\n\n{content.message('weekly_held')}")
        return reply

    def give_back(self, items: Sequence[Outgoing[Subscriber]]) -> None:
        self.services.store.give_back_weeklies(item.source for item in items)
