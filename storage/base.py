"""What every part of the store shares: the connection; reading, creating, updating and
rescheduling a subscriber row; the rows set aside; the chats paused at an instant (by their
own local date); and a chat's delivery row for a day."""

from __future__ import annotations

import logging
from datetime import date, datetime, time
from typing import Any

from sqlite_utils import Database

from storage.models import (
    DONE_STATUSES,
    SUBSCRIBER_COLUMNS,
    Delivery,
    Subscriber,
    delivery_from_row,
    epoch,
    iso_stamp,
    quarantine_reason,
    subscriber_from_row,
)
from storage.rules import schedule

logger = logging.getLogger(__name__)


class StoreBase:
    """The database connection and the subscriber-row helpers every part of the store uses."""

    db: Database
    default_timezone: str
    default_time: time

    def subscriber(self, chat_id: int) -> Subscriber | None:
        """Return the chat's settings, or None if the chat never used the bot."""
        # Plain SQL: these two lookups run for every claim (sqlite-utils' rows_where reads
        # the schema first, a third of claim_due's time at 1M subscribers).
        rows = list(self.db.query("SELECT * FROM subscribers WHERE chat_id = ?", [chat_id]))
        return subscriber_from_row(rows[0]) if rows else None

    def _ensure(self, chat_id: int, now: datetime) -> Subscriber:
        stamp = iso_stamp(now)
        self.db.execute(
            "INSERT OR IGNORE INTO subscribers "
            "(chat_id, subscribed, tip_time, timezone, tip_cursor, tips_seen, created_at, "
            "updated_at) VALUES (?, 0, ?, ?, 0, x'', ?, ?)",
            [chat_id, schedule.format_time(self.default_time), self.default_timezone, stamp, stamp],
        )
        subscriber = self.subscriber(chat_id)
        assert subscriber is not None
        return subscriber

    def _get(self, chat_id: int) -> Subscriber:
        subscriber = self.subscriber(chat_id)
        if subscriber is None:
            raise LookupError(f"no subscriber {chat_id}")
        return subscriber

    def _update(self, chat_id: int, now: datetime, **values: Any) -> None:
        # Plain SQL on the hot path: sqlite-utils' Table.update reads the schema each call,
        # which was half the storage cost per sent tip. Names come from this module only.
        values["updated_at"] = iso_stamp(now)
        assert values.keys() <= SUBSCRIBER_COLUMNS, values.keys() - SUBSCRIBER_COLUMNS
        assignments = ", ".join(f"{name} = ?" for name in values)
        self.db.execute(
            f"UPDATE subscribers SET {assignments} WHERE chat_id = ?", [*values.values(), chat_id]
        )

    def _reschedule(
        self, chat_id: int, now: datetime, *, catch_up: bool = False, done: bool | None = None
    ) -> None:
        """Recompute when the chat's next tip is due and store it.

        Args:
            done: whether today's tip is handled; looked up in the delivery log if None.
        """
        subscriber = self._get(chat_id)
        try:
            if done is None and subscriber.active:
                done = self._done(chat_id, schedule.local_date(now, subscriber.zone))
            due = _next_due(subscriber, now, done=bool(done), catch_up=catch_up)
        except schedule.ZoneError as error:
            # A zone that a tzdata update removed: set the row aside instead of failing
            # the user's command (and every command after it).
            self.quarantine(chat_id, quarantine_reason(error), now)
            return
        # Scheduled again: whatever set the row aside is fixed.
        self.db.execute(
            "UPDATE subscribers SET next_due = ?, quarantine = NULL WHERE chat_id = ?",
            [None if due is None else epoch(due), chat_id],
        )

    def quarantine(self, chat_id: int, reason: str, now: datetime) -> None:
        """Set a row that cannot be scheduled or claimed aside: never due, so it holds up
        no one, and logged once (it is not due again until the user sets a time or zone).

        Args:
            reason: why, in words that carry none of the row's values.
        """
        logger.warning("chat %s set aside (no daily tip until fixed): %s", chat_id, reason)
        self.db.execute(
            "UPDATE subscribers SET next_due = NULL, quarantine = ?, updated_at = ? "
            "WHERE chat_id = ?",
            [reason, iso_stamp(now), chat_id],
        )

    def quarantined(self) -> list[tuple[int, str]]:
        """The rows set aside, as (chat id, reason), by chat id."""
        return [
            (chat_id, reason)
            for chat_id, reason in self.db.execute(
                "SELECT chat_id, quarantine FROM subscribers WHERE quarantine IS NOT NULL "
                "ORDER BY chat_id"
            ).fetchall()
        ]

    def quarantined_count(self) -> int:
        """How many rows are set aside (a partial index keeps this cheap at 1M rows)."""
        (count,) = self.db.execute(
            "SELECT count(*) FROM subscribers WHERE quarantine IS NOT NULL"
        ).fetchone()
        return int(count)

    def paused_groups(self, now: datetime) -> list[tuple[str, str, int]]:
        """The chats that get daily tips but are paused at ``now`` by their own local date
        (``schedule.paused_on``), as (timezone, resume_on, how many) groups: each zone's date
        is computed once, and only rows with a pause set are read."""
        rows = self.db.execute(
            "SELECT timezone, resume_on, count(*) FROM subscribers "
            "WHERE subscribed != 0 AND blocked = 0 AND resume_on IS NOT NULL "
            "GROUP BY timezone, resume_on"
        ).fetchall()
        return [
            (zone, resume_on, count)
            for zone, resume_on, count in rows
            if schedule.paused_on(date.fromisoformat(resume_on), schedule.local_date_in(now, zone))
        ]

    def _done(self, chat_id: int, day: date) -> bool:
        delivery = self.delivery(chat_id, day)
        return delivery is not None and delivery.status in DONE_STATUSES

    def delivery(self, chat_id: int, day: date) -> Delivery | None:
        """Return the delivery log row for a chat and local date, if any."""
        rows = list(
            self.db.query(
                "SELECT * FROM deliveries WHERE chat_id = ? AND local_date = ?",
                [chat_id, day.isoformat()],
            )
        )
        return delivery_from_row(rows[0]) if rows else None


def _wants(subscriber: Subscriber, day: date) -> bool:
    """Whether the subscriber's settings still ask for a tip on local ``day``."""
    return (
        subscriber.active
        and schedule.allows(subscriber.days, day)
        and not subscriber.paused_on(day)
    )


def _next_due(
    subscriber: Subscriber, now: datetime, *, done: bool, catch_up: bool
) -> datetime | None:
    """When the subscriber's next tip is due, or None if nothing is scheduled."""
    if not subscriber.active or subscriber.resume_on == date.max:
        return None
    return schedule.next_due(
        subscriber.tip_time,
        subscriber.zone,
        now,
        done_today=done,
        catch_up=catch_up,
        days=subscriber.days,
        resume_on=subscriber.resume_on,
    )
