"""What every part of the store shares: the connection, and reading, creating, updating and
rescheduling a subscriber row."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlite_utils import Database

from storage import schedule
from storage.models import (
    DONE_STATUSES,
    SUBSCRIBER_COLUMNS,
    Delivery,
    Subscriber,
    delivery_from_row,
    epoch,
    iso_stamp,
    subscriber_from_row,
)


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
            "(chat_id, subscribed, tip_time, timezone, tip_cursor, created_at, updated_at) "
            "VALUES (?, 0, ?, ?, 0, ?, ?)",
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
        if done is None and subscriber.active:
            done = self._done(chat_id, schedule.local_date(now, subscriber.zone))
        due = _next_due(subscriber, now, done=bool(done), catch_up=catch_up)
        self.db.execute(
            "UPDATE subscribers SET next_due = ? WHERE chat_id = ?",
            [None if due is None else epoch(due), chat_id],
        )

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
