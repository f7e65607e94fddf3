"""The daily tip's delivery log: claiming due tips, their states, retries and recovery."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from typing import Any

from storage.base import _wants
from storage.models import (
    Claim,
    Delivery,
    DeliveryStatus,
    Recovery,
    Subscriber,
    delivery_from_row,
    epoch,
    iso_stamp,
    quarantine_reason,
    subscriber_from_row,
)
from storage.rules import schedule
from storage.tips import Tips

#: How many batches one claim_due call looks through for something to send.
CLAIM_PASSES = 10

#: A failed send is tried again this much later, this many times in all, on the same local day.
RETRY_DELAY = timedelta(minutes=5)

MAX_ATTEMPTS = 3

#: A day's row at one of these may be claimed again that day (a retry, or a chat that
#: unblocked the bot and is due again); any other status means the day's tip is handled.
_CLAIMABLE_AGAIN = (DeliveryStatus.FAILED, DeliveryStatus.BLOCKED)


class Deliveries(Tips):
    """Claims, sends and the log: at most one tip per chat and local day."""

    #: Local days recorded "skipped" (the bot was down all day) since the store was opened.
    skipped_days: int = 0
    _skipped_in_batch: int = 0

    def due(self, now: datetime, limit: int = 100) -> list[Subscriber]:
        """Return up to ``limit`` subscribers whose tip is due at ``now``, earliest first."""
        return [subscriber_from_row(row) for row in self._due_rows(now, limit)]

    def _due_rows(self, now: datetime, limit: int) -> list[dict[str, Any]]:
        """The rows due at ``now``, earliest first: the one due query (the ``next_due``
        index), read as plain rows so that one that does not convert names its chat."""
        return list(
            self.db.query(
                "SELECT * FROM subscribers WHERE next_due IS NOT NULL AND next_due <= ? "
                "ORDER BY next_due LIMIT ?",
                [epoch(now), limit],
            )
        )

    def claim_due(self, now: datetime, limit: int) -> list[Claim]:
        """Claim the tips due at ``now``, earliest first, in one transaction.

        Each claimed subscriber gets a "claimed" row in the delivery log and its next
        due instant moved on, so the next call does not pick it again. A subscriber
        whose due day passed entirely (the bot was down) gets a "skipped" row instead
        and, if today's time has passed too, is due again at once for today's tip.

        Args:
            now: the current instant.
            limit: the most subscribers to look at.

        Returns:
            The claims to send, earliest due first.
        """
        while True:
            try:
                return self._claim_batch(now, limit)
            except _BadRow as bad:
                # The batch was rolled back: set that row aside, then claim the batch again
                # without it. Each pass removes one row, so this ends.
                self.quarantine(bad.chat_id, bad.reason, now)

    def _claim_batch(self, now: datetime, limit: int) -> list[Claim]:
        claims: list[Claim] = []
        stamp = iso_stamp(now)
        self._skipped_in_batch = 0
        with self.db.atomic():
            # A batch may hold only days that passed or were handled (after an outage):
            # look a few batches further before returning empty-handed.
            for _ in range(CLAIM_PASSES):
                due = self._due_rows(now, limit)
                for row in due:
                    try:
                        self._claim_row(subscriber_from_row(row), now, stamp, claims)
                    except sqlite3.Error:
                        raise  # the database's trouble, not the row's
                    except Exception as error:
                        raise _BadRow(row["chat_id"], quarantine_reason(error)) from error
                if claims or not due:
                    break
        self.skipped_days += self._skipped_in_batch  # counted once the batch is committed
        return claims

    def has_due(self, now: datetime) -> bool:
        """Whether any subscriber's tip is due at ``now``."""
        return (
            self.db.execute(
                "SELECT 1 FROM subscribers WHERE next_due IS NOT NULL AND next_due <= ? LIMIT 1",
                [epoch(now)],
            ).fetchone()
            is not None
        )

    def due_count(self, now: datetime, *, cap: int) -> int:
        """How many tips are due at ``now``, counted up to ``cap`` (the index, a bounded scan)."""
        (count,) = self.db.execute(
            "SELECT count(*) FROM (SELECT 1 FROM subscribers "
            "WHERE next_due IS NOT NULL AND next_due <= ? LIMIT ?)",
            [epoch(now), cap],
        ).fetchone()
        return int(count)

    def oldest_due(self, now: datetime) -> timedelta | None:
        """How long the earliest tip due at ``now`` has waited, or None if none is due."""
        (earliest,) = self.db.execute(
            "SELECT min(next_due) FROM subscribers WHERE next_due IS NOT NULL"
        ).fetchone()
        if earliest is None or earliest > epoch(now):
            return None
        return timedelta(seconds=epoch(now) - earliest)

    def _claim_row(
        self, subscriber: Subscriber, now: datetime, stamp: str, claims: list[Claim]
    ) -> None:
        """Claim one due subscriber's tip into ``claims``, or skip or reschedule it."""
        assert subscriber.next_due is not None
        zone = subscriber.zone
        day = schedule.local_date(subscriber.next_due, zone)
        if day < schedule.local_date(now, zone):
            self._skipped_in_batch += self.db.execute(
                "INSERT OR IGNORE INTO deliveries "
                "(chat_id, local_date, status, attempts, updated_at) "
                "VALUES (?, ?, ?, 0, ?)",
                [subscriber.chat_id, day.isoformat(), DeliveryStatus.SKIPPED.value, stamp],
            ).rowcount
            self._reschedule(subscriber.chat_id, now, catch_up=True)
            return
        existing = self.delivery(subscriber.chat_id, day)
        if existing is not None and existing.status not in _CLAIMABLE_AGAIN:
            self._reschedule(subscriber.chat_id, now, done=True)
            return
        pick = self._next_tip(subscriber, day)
        self.db.execute(
            "INSERT INTO deliveries "
            "(chat_id, local_date, tip_id, status, attempts, due_at, updated_at) "
            "VALUES (?, ?, ?, ?, 1, ?, ?) "
            "ON CONFLICT (chat_id, local_date) DO UPDATE SET tip_id = excluded.tip_id, "
            "status = excluded.status, attempts = attempts + 1, "
            "due_at = excluded.due_at, updated_at = excluded.updated_at",
            [
                subscriber.chat_id,
                day.isoformat(),
                pick.tip.id,
                DeliveryStatus.CLAIMED.value,
                epoch(subscriber.next_due),
                stamp,
            ],
        )
        self._reschedule(subscriber.chat_id, now, done=True)
        claims.append(
            Claim(
                subscriber.chat_id,
                day,
                pick,
                subscriber.next_due,
                checkin_prompt=subscriber.checkin_prompt,
                language=subscriber.speaks,
            )
        )

    def mark_sending(self, claim: Claim, now: datetime) -> bool:
        """Record that the tip's request is about to go out (see ``DeliveryStatus``).

        Returns:
            False if the claim is gone because the user deleted their data since: don't send.
        """
        return self._set_status(claim, DeliveryStatus.SENDING, now)

    def mark_sent(self, claim: Claim, message_id: int, now: datetime) -> None:
        """Record a sent tip and move the chat's place in the tip sequence on."""
        with self.db.atomic():
            self._set_status(claim, DeliveryStatus.SENT, now, message_id=message_id)
            self._advance(claim.chat_id, claim.pick, now, claim.day)

    def mark_failed(self, claim: Claim, now: datetime, *, retry: bool = True) -> datetime | None:
        """Record a failed send; schedule a retry later the same local day if one is left.

        Args:
            retry: False for failures that another try cannot fix.

        Returns:
            When the retry is due, or None when there is none.
        """
        with self.db.atomic():
            self._set_status(claim, DeliveryStatus.FAILED, now)
            delivery = self.delivery(claim.chat_id, claim.day)
            subscriber = self.subscriber(claim.chat_id)
            when = now + RETRY_DELAY
            if not (
                subscriber is not None  # the chat's data was deleted while the tip was out
                and retry
                and _wants(subscriber, claim.day)
                and delivery is not None
                and delivery.attempts < MAX_ATTEMPTS
                and schedule.local_date(when, subscriber.zone) == claim.day
            ):
                return None
            if subscriber.next_due is None or when < subscriber.next_due:
                self._update(claim.chat_id, now, next_due=epoch(when))
            return when

    def mark_blocked(self, claim: Claim, now: datetime) -> None:
        """Record a tip the user could not get because they blocked the bot or the chat is
        gone: no retry. Today's tip can still be claimed if they come back later today."""
        self._set_status(claim, DeliveryStatus.BLOCKED, now)

    def release(self, claims: Iterable[Claim], now: datetime) -> int:
        """Give back claims that were never sent: each subscriber is due again as before.

        Returns:
            How many claims were released (those already sending or sent are kept).
        """
        released = 0
        with self.db.atomic():
            for claim in claims:
                released += self._release(claim.chat_id, claim.day, epoch(claim.due_at), now)
        return released

    def _release(self, chat_id: int, day: date, due_at: int | None, now: datetime) -> int:
        delivery = self.delivery(chat_id, day)
        if delivery is None or delivery.status is not DeliveryStatus.CLAIMED:
            return 0
        if delivery.attempts > 1:
            self.db.execute(
                "UPDATE deliveries SET status = ?, attempts = attempts - 1, updated_at = ? "
                "WHERE chat_id = ? AND local_date = ?",
                [DeliveryStatus.FAILED.value, iso_stamp(now), chat_id, day.isoformat()],
            )
        else:
            self.db.execute(
                "DELETE FROM deliveries WHERE chat_id = ? AND local_date = ?",
                [chat_id, day.isoformat()],
            )
        subscriber = self._get(chat_id)
        if due_at is None or not _wants(subscriber, day):
            # Claimed before due_at was recorded (an older version), or the settings changed
            # since (paused, unsubscribed, that weekday dropped): schedule afresh.
            self._reschedule(chat_id, now, catch_up=True)
        elif subscriber.next_due is None or due_at < epoch(subscriber.next_due):
            self._update(chat_id, now, next_due=due_at)
        return 1

    def recover(self, now: datetime) -> Recovery:
        """After a run that did not shut down cleanly: release what was claimed but never
        sent, and mark what was being sent as uncertain (never sent again)."""
        with self.db.atomic():
            leftovers = list(
                self.db.query(
                    "SELECT chat_id, local_date, due_at FROM deliveries WHERE status = ?",
                    [DeliveryStatus.CLAIMED.value],
                )
            )
            for row in leftovers:
                self._release(
                    row["chat_id"], date.fromisoformat(row["local_date"]), row["due_at"], now
                )
            uncertain = self.db.execute(
                "UPDATE deliveries SET status = ?, updated_at = ? WHERE status = ?",
                [DeliveryStatus.UNCERTAIN.value, iso_stamp(now), DeliveryStatus.SENDING.value],
            ).rowcount
        return Recovery(released=len(leftovers), uncertain=uncertain)

    def _set_status(
        self, claim: Claim, status: DeliveryStatus, now: datetime, *, message_id: int | None = None
    ) -> bool:
        return bool(
            self.db.execute(
                "UPDATE deliveries SET status = ?, message_id = coalesce(?, message_id), "
                "updated_at = ? WHERE chat_id = ? AND local_date = ?",
                [status.value, message_id, iso_stamp(now), claim.chat_id, claim.day.isoformat()],
            ).rowcount
        )

    def snooze(self, chat_id: int, day: date, until: datetime, now: datetime) -> bool:
        """Put the chat's delivered tip of local date ``day`` off until ``until``: it goes
        out again then (``due_snoozes``). Once per tip; the next day's time does not move.

        Returns:
            False if there is no delivered tip that day, or it was put off already.
        """
        with self.db.atomic():
            return (
                self.db.execute(
                    "UPDATE deliveries SET snooze_at = ?, snoozed = 1, updated_at = ? "
                    "WHERE chat_id = ? AND local_date = ? AND snoozed = 0 AND status IN (?, ?)",
                    [
                        epoch(until),
                        iso_stamp(now),
                        chat_id,
                        day.isoformat(),
                        DeliveryStatus.SENT.value,
                        DeliveryStatus.UNCERTAIN.value,
                    ],
                ).rowcount
                == 1
            )

    def due_snoozes(self, now: datetime, limit: int) -> list[Delivery]:
        """Take up to ``limit`` put-off tips due at ``now``, earliest first: each is taken
        once (its ``snooze_at`` cleared in the same transaction), so it goes out at most
        once even if the bot stops while sending it."""
        with self.db.atomic():
            rows = list(
                self.db.query(
                    "SELECT * FROM deliveries WHERE snooze_at IS NOT NULL AND snooze_at <= ? "
                    "ORDER BY snooze_at LIMIT ?",
                    [epoch(now), limit],
                )
            )
            for row in rows:
                self.db.execute(
                    "UPDATE deliveries SET snooze_at = NULL WHERE chat_id = ? AND local_date = ?",
                    [row["chat_id"], row["local_date"]],
                )
        return [delivery_from_row(row) for row in rows]

    def give_back_snoozes(self, taken: Iterable[Delivery], now: datetime) -> None:
        """Put-off tips ``due_snoozes`` took but the bot stopped before sending: due again
        at ``now`` (sent on the next run, after the restart)."""
        with self.db.atomic():
            for delivery in taken:
                self.db.execute(
                    "UPDATE deliveries SET snooze_at = ? WHERE chat_id = ? AND local_date = ? "
                    "AND snooze_at IS NULL",
                    [epoch(now), delivery.chat_id, delivery.local_date.isoformat()],
                )

    def was_delivered(self, chat_id: int, tip_id: str) -> bool:
        """Whether the daily tip ``tip_id`` went to this chat (sent, or maybe sent): the
        only tips whose feedback buttons it can have pressed."""
        return (
            self.db.execute(
                "SELECT 1 FROM deliveries WHERE chat_id = ? AND tip_id = ? AND status IN (?, ?) "
                "LIMIT 1",
                [chat_id, tip_id, DeliveryStatus.SENT.value, DeliveryStatus.UNCERTAIN.value],
            ).fetchone()
            is not None
        )

    def deliveries(self, chat_id: int) -> Iterator[Delivery]:
        """Yield a chat's delivery log, oldest day first."""
        for row in self.db.table("deliveries").rows_where(
            "chat_id = ?", [chat_id], order_by="local_date"
        ):
            yield delivery_from_row(row)


class _BadRow(Exception):
    """A due row that cannot be claimed; ``claim_due`` sets it aside."""

    def __init__(self, chat_id: int, reason: str) -> None:
        super().__init__(chat_id, reason)
        self.chat_id = chat_id
        self.reason = reason
