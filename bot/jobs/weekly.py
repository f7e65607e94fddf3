"""The weekly job: the look back each chat chose, on its day at 18:00 local time.

Each chat is taken from the database (its next look back moved a week on) before its
message is sent, so nobody gets two; a bot that was down for a while sends one, not a
backlog, and those a stop left unsent are given back. Chats that blocked the bot are
skipped. Sent through the one fan-out (``bot.sending.fanout``), like put-off tips.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot import render
from bot.jobs.base import SendingJob
from bot.sending.fanout import Outgoing
from storage import Subscriber, decide, schedule

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

    def _render(self, subscriber: Subscriber, now: datetime) -> render.Reply:
        store = self.services.store
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
        if decide(subscriber.chat_id, subscriber, today).held:
            reply = render.Reply(f"{reply.text}\n\n{content.message('weekly_held')}")
        return reply

    def give_back(self, items: Sequence[Outgoing[Subscriber]]) -> None:
        self.services.store.give_back_weeklies(item.source for item in items)
