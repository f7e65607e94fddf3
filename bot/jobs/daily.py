"""The daily tip: due tips claimed from storage in batches, sent through the one fan-out.

``take`` claims a batch (earliest due first) in one transaction: a "claimed" row per chat
and local day, its next due instant moved on, so nobody gets a day's tip twice, a restart
included. The fan-out (``bot.sending.fanout``) does the rest as for every job that sends:
``max_in_flight`` workers, each request paced at bulk priority (replies to users go
first), the send timeout, the retry ladder, a gone chat marked blocked in the transaction
that records its tip, one chat's failure its own, and on shutdown what was claimed and not
sent released (``give_back``: still due). What the daily tip adds is its record: "sending"
just before the request (``claim``: a chat whose data was deleted since is dropped), then
sent, blocked, or failed (``done``: tried again later the same local day while tries are
left, unless Telegram refused it).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from telegram.ext import ExtBot

from bot.jobs.base import SendingJob, always
from bot.render import tips as render_tips
from bot.sending.fanout import Outgoing
from bot.sending.outcome import Outcome, Result
from bot.services import Services
from storage import Claim, is_busy

logger = logging.getLogger(__name__)

JOB_NAME = "daily-tips"
#: How each outcome is counted in /metrics.
_OUTCOME_NAMES = {
    Outcome.SENT: "sent",
    Outcome.GONE: "blocked",
    Outcome.REFUSED: "refused",
    Outcome.FAILED: "failed",
}
#: Subscribers claimed per transaction.
BATCH_SIZE = 200


class Dispatcher(SendingJob[Claim]):
    """Sends every due tip; its ``tick`` is the JobQueue callback (one run at a time)."""

    name = JOB_NAME

    def __init__(self, services: Services, *, batch_size: int = BATCH_SIZE) -> None:
        super().__init__(services)
        self.batch_size = batch_size
        #: When a run last finished, or last claimed a batch while draining a backlog (the
        #: services' clock); None before the first. /healthz reads it: a run that starts
        #: and then fails, or that another process's lock stopped, never stamps it.
        self.last_progress: datetime | None = None
        #: Tips whose message could not be rendered (a bug), counted as failed.
        self._unrendered = 0
        #: Whether this run's claiming met another process's write lock.
        self._locked = False

    @property
    def outcomes(self) -> Counter[str]:
        """Tips sent, blocked, refused and failed since the start (for /metrics)."""
        counts = self.fanout.outcomes
        named = Counter({name: counts[outcome] for outcome, name in _OUTCOME_NAMES.items()})
        named["failed"] += self._unrendered
        return named

    async def run(self, bot: ExtBot[Any], running: Callable[[], bool] = always) -> int:
        """Claim and send due tips until none is due or the bot stops; return how many went
        out. Another process holding the database's write lock ends the claiming: what was
        claimed is sent, the next tick goes on (nothing claimed is lost)."""
        self._locked = False
        sent = await super().run(bot, running)
        if not self._locked:
            self.last_progress = self.services.clock()
        return sent

    async def send(
        self, bot: ExtBot[Any], claims: Sequence[Claim], running: Callable[[], bool]
    ) -> None:
        """Send these ``claims`` only (no new claims), releasing the unsent on shutdown."""
        await self.fanout.run(bot, running, self._render(claims))

    def take(self, limit: int) -> list[Outgoing[Claim]]:
        store, clock = self.services.store, self.services.clock
        while True:
            now = clock()
            try:
                claims = store.claim_due(now, min(limit, self.batch_size))
            except Exception as error:
                if not is_busy(error):
                    raise
                logger.warning("daily tips: the database is locked; next tick")
                self._locked = True
                return []
            self.last_progress = now
            # An empty batch may only have held days missed during an outage: go on while
            # any tip is due.
            if claims or not store.has_due(now):
                return self._render(claims)

    def _render(self, claims: Sequence[Claim]) -> list[Outgoing[Claim]]:
        services = self.services
        taken = []
        unshown = []
        for claim in claims:
            try:
                reply = render_tips.daily_tip(
                    services.content_for(claim.language),
                    claim.pick,
                    checkin_prompt=claim.checkin_prompt,
                    day=claim.day,
                )
            except Exception:  # one chat's message never stops the others
                logger.exception("daily tip for chat %s could not be shown", claim.chat_id)
                unshown.append(claim)
                continue
            taken.append(Outgoing(claim.chat_id, reply.text, reply.keyboard, claim))
        if unshown:
            self._unrendered += len(unshown)
            self._fail(unshown)
        return taken

    def _fail(self, claims: list[Claim]) -> None:
        """Record tips that cannot be shown as failed, not tried again today."""
        store, now = self.services.store, self.services.clock()
        try:
            with store.db.atomic():
                for claim in claims:
                    store.mark_failed(claim, now, retry=False)
        except Exception as error:
            if not is_busy(error):
                raise
            # Left claimed: released at the next start, like any claim a crash left.

    def claim(self, item: Outgoing[Claim]) -> bool:
        if self.services.store.mark_sending(item.source, self.services.clock()):
            return True
        logger.info("tip to chat %s dropped: its data was deleted", item.chat_id)
        return False

    def done(self, item: Outgoing[Claim], result: Result[Any]) -> str | None:
        store, claim, now = self.services.store, item.source, self.services.clock()
        if result.outcome is Outcome.SENT:
            sent = result.value
            assert sent is not None
            store.mark_sent(claim, sent.message_id, now)
        elif result.outcome is Outcome.GONE:
            # In the fan-out's transaction that marks the chat blocked.
            store.mark_blocked(claim, now)
        elif result.outcome is Outcome.REFUSED:
            store.mark_failed(claim, now, retry=False)
        else:
            retry = store.mark_failed(claim, now)
            return f"next try {retry or 'tomorrow'}"
        return None

    def give_back(self, items: Sequence[Outgoing[Claim]]) -> None:
        released = self.services.store.release(
            [item.source for item in items], self.services.clock()
        )
        logger.info("stopping: %d claimed tips released, still due", released)
