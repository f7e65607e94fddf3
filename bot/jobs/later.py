"""The snooze job: daily tips put off with "Later" go out again when their time comes.

Each is taken from the database before it is sent (``Store.due_snoozes``), so a stop or a
crash while sending loses at most the repeats in flight and never sends one twice; those a
stop left untouched are given back. A chat that blocked the bot since, or erased its data,
is skipped, and so is every tip of a chat that paused its tips since. A tip about massage
asks the safety decision again: if something holds massage now (a caution, /flare, a
session's pain stop...), the repeat says so instead of sending the tip. Sent through the
one fan-out (``bot.sending.fanout``), like the weekly look back.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.jobs.base import SendingJob
from bot.render import tips as render_tips
from bot.render.common import Reply
from bot.sending.fanout import Outgoing
from storage import Delivery, Hold, decide, schedule

logger = logging.getLogger(__name__)

JOB_NAME = "later"


class Snoozes(SendingJob[Delivery]):
    """Sends put-off tips that are due."""

    name = JOB_NAME

    def take(self, limit: int) -> list[Outgoing[Delivery]]:
        store, now = self.services.store, self.services.clock()
        taken = []
        for delivery in store.due_snoozes(now, limit):
            try:
                reply = self._render(delivery)
            except Exception:  # one chat's message never stops the others
                logger.exception("put-off tip for chat %s could not be shown", delivery.chat_id)
                continue
            if reply is not None:
                taken.append(Outgoing(delivery.chat_id, reply.text, reply.keyboard, delivery))
        return taken

    def _render(self, delivery: Delivery) -> Reply | None:
        store, now = self.services.store, self.services.clock()
        subscriber = store.subscriber(delivery.chat_id)
        tip = store.tip(delivery.tip_id) if delivery.tip_id else None
        if subscriber is None or tip is None or not subscriber.active:
            return None
        today = schedule.local_date_in(now, subscriber.timezone)
        allowed = decide(delivery.chat_id, subscriber, today, delivery=True)
        if Hold.PAUSED in allowed.holds:
            return None  # paused since: no tips at all until the pause ends
        content = self.services.content_for(subscriber.speaks)
        # A tip about massage that something holds now is replaced by why (tip_again).
        return render_tips.tip_again(content, tip, allowed, program_done=subscriber.program_done)

    def give_back(self, items: Sequence[Outgoing[Delivery]]) -> None:
        self.services.store.give_back_snoozes(
            [item.source for item in items], self.services.clock()
        )
