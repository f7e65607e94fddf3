"""Typed access to the bot's SQLite file: subscribers, tips and the delivery log."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any, Protocol

from sqlite_utils import Database

from storage import schedule
from storage.migrations import migrations

#: A failed send is tried again this much later, this many times in all, on the same local day.
RETRY_DELAY = timedelta(minutes=5)
MAX_ATTEMPTS = 3


class DeliveryStatus(enum.StrEnum):
    """Where one subscriber's tip for one local day stands."""

    CLAIMED = "claimed"  # taken by the job; sending may have happened (never re-sent)
    SENT = "sent"
    FAILED = "failed"  # may be retried later the same local day
    SKIPPED = "skipped"  # the local day passed while the bot was down


#: Statuses that mean the day's tip is handled and must not be sent again.
_DONE = (DeliveryStatus.CLAIMED.value, DeliveryStatus.SENT.value)


class TipSource(Protocol):
    """What ``sync_tips`` needs of a tip from the content files."""

    @property
    def id(self) -> str: ...
    @property
    def position(self) -> int: ...
    @property
    def text(self) -> str: ...


@dataclass(frozen=True)
class Tip:
    """A tip as stored."""

    id: str
    position: int
    text: str


@dataclass(frozen=True)
class Subscriber:
    """One chat's settings and place in the tip sequence."""

    chat_id: int
    subscribed: bool
    tip_time: time
    timezone: str
    next_due: datetime | None
    tip_cursor: int
    #: The user blocked the bot (or the chat is gone): nothing is sent, settings are kept.
    blocked: bool = False

    @property
    def active(self) -> bool:
        """Whether daily tips go to this chat: subscribed, and the bot not blocked."""
        return self.subscribed and not self.blocked

    @property
    def zone(self) -> tzinfo:
        """The subscriber's timezone as a tzinfo."""
        return schedule.resolve(self.timezone)


@dataclass(frozen=True)
class Delivery:
    """One row of the delivery log."""

    chat_id: int
    local_date: date
    tip_id: str | None
    status: DeliveryStatus
    message_id: int | None
    attempts: int


@dataclass(frozen=True)
class TipSync:
    """What ``sync_tips`` changed."""

    added: int
    updated: int
    retired: int


class Store:
    """The bot's database. All methods run on the caller's thread and commit before returning."""

    def __init__(
        self, path: str | Path, *, default_timezone: str = "UTC", default_time: time = time(9, 0)
    ) -> None:
        """Open (creating if needed) the SQLite file at ``path``.

        Args:
            path: the database file.
            default_timezone: timezone given to new chats (an IANA name or "UTC+HH:MM").
            default_time: local time of day given to new chats.
        """
        schedule.resolve(default_timezone)
        self.db = Database(path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA busy_timeout=5000")
        self.default_timezone = default_timezone
        self.default_time = default_time

    def close(self) -> None:
        """Close the database file."""
        self.db.close()

    def migrate(self) -> list[str]:
        """Apply pending schema migrations.

        Returns:
            The names of the migrations applied now (empty when already up to date).
        """
        pending = [m.name for m in migrations.pending(self.db)]
        migrations.apply(self.db)
        return pending

    # Tips -------------------------------------------------------------------------------

    def sync_tips(self, tips: Iterable[TipSource], now: datetime) -> TipSync:
        """Make the tips table match the content files, keyed by tip id.

        Tips no longer in the files are retired (kept for the delivery log, never sent).

        Args:
            tips: the tips from the content files, in order.
            now: the current instant.
        """
        wanted = {tip.id: tip for tip in tips}
        existing = {row["id"]: row for row in self.db.table("tips").rows}
        stamp = _stamp(now)
        records = [
            {
                "id": tip.id,
                "position": tip.position,
                "text": tip.text,
                "active": 1,
                "updated_at": stamp,
            }
            for tip in wanted.values()
            if _changed(existing.get(tip.id), tip)
        ]
        retired = [
            tip_id for tip_id, row in existing.items() if tip_id not in wanted and row["active"]
        ]
        with self.db.atomic():
            self.db.table("tips").upsert_all(records, pk="id")
            for tip_id in retired:
                self.db.table("tips").update(tip_id, {"active": 0, "updated_at": stamp})
        added = sum(1 for record in records if record["id"] not in existing)
        return TipSync(added=added, updated=len(records) - added, retired=len(retired))

    def tips(self) -> list[Tip]:
        """Return the active tips in sequence order."""
        return [
            _tip(row) for row in self.db.table("tips").rows_where("active = 1", order_by="position")
        ]

    def take_tip(self, chat_id: int, now: datetime) -> Tip:
        """Return the chat's next tip in sequence and move its place on (for /tip).

        Raises:
            LookupError: if there are no tips at all.
        """
        with self.db.atomic():
            subscriber = self._ensure(chat_id, now)
            tip = self._next_tip(subscriber.tip_cursor)
            self._update(chat_id, now, tip_cursor=tip.position)
        return tip

    def _next_tip(self, cursor: int) -> Tip:
        rows = list(
            self.db.query(
                "SELECT id, position, text FROM tips WHERE active = 1 "
                "ORDER BY position > ? DESC, position LIMIT 1",
                [cursor],
            )
        )
        if not rows:
            raise LookupError("no tips in the database")
        return _tip(rows[0])

    # Subscribers ------------------------------------------------------------------------

    def subscriber(self, chat_id: int) -> Subscriber | None:
        """Return the chat's settings, or None if the chat never used the bot."""
        rows = list(self.db.table("subscribers").rows_where("chat_id = ?", [chat_id]))
        return _subscriber(rows[0]) if rows else None

    def ensure(self, chat_id: int, now: datetime) -> Subscriber:
        """Return the chat's settings, creating them with the defaults (unsubscribed)."""
        with self.db.atomic():
            return self._ensure(chat_id, now)

    def _ensure(self, chat_id: int, now: datetime) -> Subscriber:
        stamp = _stamp(now)
        self.db.execute(
            "INSERT OR IGNORE INTO subscribers "
            "(chat_id, subscribed, tip_time, timezone, tip_cursor, created_at, updated_at) "
            "VALUES (?, 0, ?, ?, 0, ?, ?)",
            [chat_id, schedule.format_time(self.default_time), self.default_timezone, stamp, stamp],
        )
        subscriber = self.subscriber(chat_id)
        assert subscriber is not None
        return subscriber

    def subscribe(self, chat_id: int, now: datetime) -> tuple[Subscriber, bool]:
        """Turn the daily tip on.

        Returns:
            The settings, and whether this changed anything (False if already subscribed).
        """
        with self.db.atomic():
            before = self._ensure(chat_id, now)
            if not before.subscribed or before.blocked:
                # Someone subscribing is talking to the bot, so it is not blocked.
                self._update(chat_id, now, subscribed=1, blocked=0)
                self._reschedule(chat_id, now)
            return self._get(chat_id), not before.subscribed

    def unsubscribe(self, chat_id: int, now: datetime) -> tuple[Subscriber, bool]:
        """Turn the daily tip off, keeping the settings.

        Returns:
            The settings, and whether this changed anything (False if not subscribed).
        """
        with self.db.atomic():
            before = self._ensure(chat_id, now)
            if before.subscribed:
                self._update(chat_id, now, subscribed=0, next_due=None)
            return self._get(chat_id), before.subscribed

    def set_time(self, chat_id: int, at: time, now: datetime) -> Subscriber:
        """Set the chat's local time of day for the tip and reschedule it."""
        with self.db.atomic():
            self._ensure(chat_id, now)
            self._update(chat_id, now, tip_time=schedule.format_time(at))
            self._reschedule(chat_id, now)
            return self._get(chat_id)

    def set_timezone(self, chat_id: int, name: str, now: datetime) -> Subscriber:
        """Set the chat's timezone (as returned by ``schedule.parse_timezone``) and reschedule.

        Raises:
            ValueError: if the name is not a known timezone.
        """
        schedule.resolve(name)
        with self.db.atomic():
            self._ensure(chat_id, now)
            self._update(chat_id, now, timezone=name)
            self._reschedule(chat_id, now)
            return self._get(chat_id)

    def set_blocked(self, chat_id: int, blocked: bool, now: datetime) -> bool:
        """Record that a user blocked the bot (or the chat is gone), or unblocked it.

        A blocked chat gets nothing; unblocking resumes the daily tip if it was on.
        Chats the bot never knew are not created.

        Returns:
            Whether anything changed.
        """
        with self.db.atomic():
            before = self.subscriber(chat_id)
            if before is None or before.blocked == blocked:
                return False
            self._update(chat_id, now, blocked=int(blocked))
            self._reschedule(chat_id, now)
            return True

    def _get(self, chat_id: int) -> Subscriber:
        subscriber = self.subscriber(chat_id)
        if subscriber is None:
            raise LookupError(f"no subscriber {chat_id}")
        return subscriber

    def _update(self, chat_id: int, now: datetime, **values: Any) -> None:
        values["updated_at"] = _stamp(now)
        self.db.table("subscribers").update(chat_id, values)

    def _reschedule(
        self, chat_id: int, now: datetime, *, catch_up: bool = False, give_up_today: bool = False
    ) -> None:
        subscriber = self._get(chat_id)
        due = None
        if subscriber.active:
            zone = subscriber.zone
            done = give_up_today or self._done(chat_id, schedule.local_date(now, zone))
            due = _epoch(
                schedule.next_due(
                    subscriber.tip_time, zone, now, done_today=done, catch_up=catch_up
                )
            )
        self.db.table("subscribers").update(chat_id, {"next_due": due})

    def _done(self, chat_id: int, day: date) -> bool:
        delivery = self.delivery(chat_id, day)
        return delivery is not None and delivery.status in _DONE

    # Daily delivery ---------------------------------------------------------------------

    def due(self, now: datetime, limit: int = 100) -> list[Subscriber]:
        """Return up to ``limit`` subscribers whose tip is due at ``now``, earliest first."""
        rows = self.db.query(
            "SELECT * FROM subscribers WHERE next_due IS NOT NULL AND next_due <= ? "
            "ORDER BY next_due LIMIT ?",
            [_epoch(now), limit],
        )
        return [_subscriber(row) for row in rows]

    def claim(self, chat_id: int, day: date, now: datetime) -> Tip | None:
        """Record that the tip for ``day`` is about to be sent, before sending it.

        Returns:
            The tip to send, or None if that day's tip was already handled (then the
            subscriber is rescheduled, and nothing must be sent).
        """
        with self.db.atomic():
            subscriber = self._get(chat_id)
            tip = self._next_tip(subscriber.tip_cursor)
            stamp = _stamp(now)
            inserted = self.db.execute(
                "INSERT OR IGNORE INTO deliveries "
                "(chat_id, local_date, tip_id, status, attempts, updated_at) "
                "VALUES (?, ?, ?, ?, 1, ?)",
                [chat_id, day.isoformat(), tip.id, DeliveryStatus.CLAIMED.value, stamp],
            ).rowcount
            if not inserted:
                inserted = self.db.execute(
                    "UPDATE deliveries SET status = ?, tip_id = ?, attempts = attempts + 1, "
                    "updated_at = ? WHERE chat_id = ? AND local_date = ? AND status = ?",
                    [
                        DeliveryStatus.CLAIMED.value,
                        tip.id,
                        stamp,
                        chat_id,
                        day.isoformat(),
                        DeliveryStatus.FAILED.value,
                    ],
                ).rowcount
            if not inserted:
                self._reschedule(chat_id, now)
                return None
            return tip

    def mark_sent(self, chat_id: int, day: date, tip: Tip, message_id: int, now: datetime) -> None:
        """Record a sent tip, move the chat's place in the sequence on and schedule tomorrow."""
        with self.db.atomic():
            self.db.execute(
                "UPDATE deliveries SET status = ?, message_id = ?, updated_at = ? "
                "WHERE chat_id = ? AND local_date = ?",
                [DeliveryStatus.SENT.value, message_id, _stamp(now), chat_id, day.isoformat()],
            )
            self._update(chat_id, now, tip_cursor=tip.position)
            self._reschedule(chat_id, now)

    def mark_failed(self, chat_id: int, day: date, now: datetime) -> datetime | None:
        """Record a failed send and schedule a retry later the same local day if one is left.

        Returns:
            When the retry is due, or None when the day's attempts are used up.
        """
        with self.db.atomic():
            self.db.execute(
                "UPDATE deliveries SET status = ?, updated_at = ? "
                "WHERE chat_id = ? AND local_date = ?",
                [DeliveryStatus.FAILED.value, _stamp(now), chat_id, day.isoformat()],
            )
            delivery = self.delivery(chat_id, day)
            subscriber = self._get(chat_id)
            retry = now + RETRY_DELAY
            if (
                subscriber.active
                and delivery is not None
                and delivery.attempts < MAX_ATTEMPTS
                and schedule.local_date(retry, subscriber.zone) == day
            ):
                self._update(chat_id, now, next_due=_epoch(retry))
                return retry
            # No attempt left today: the next try is tomorrow's tip.
            self._reschedule(chat_id, now, give_up_today=True)
            return None

    def skip_day(self, chat_id: int, day: date, now: datetime) -> None:
        """Record that ``day`` passed unsent (the bot was down) and schedule what is owed now.

        A tip whose time passed earlier today is still sent today; older days are not.
        """
        with self.db.atomic():
            self.db.execute(
                "INSERT OR IGNORE INTO deliveries "
                "(chat_id, local_date, status, attempts, updated_at) VALUES (?, ?, ?, 0, ?)",
                [chat_id, day.isoformat(), DeliveryStatus.SKIPPED.value, _stamp(now)],
            )
            self._reschedule(chat_id, now, catch_up=True)

    def delivery(self, chat_id: int, day: date) -> Delivery | None:
        """Return the delivery log row for a chat and local date, if any."""
        rows = list(
            self.db.table("deliveries").rows_where(
                "chat_id = ? AND local_date = ?", [chat_id, day.isoformat()]
            )
        )
        return _delivery(rows[0]) if rows else None

    def deliveries(self, chat_id: int) -> Iterator[Delivery]:
        """Yield a chat's delivery log, oldest day first."""
        for row in self.db.table("deliveries").rows_where(
            "chat_id = ?", [chat_id], order_by="local_date"
        ):
            yield _delivery(row)


def _stamp(now: datetime) -> str:
    return now.astimezone(UTC).isoformat(timespec="seconds")


def _epoch(instant: datetime) -> int:
    return int(instant.timestamp())


def _changed(row: dict[str, Any] | None, tip: TipSource) -> bool:
    return (
        row is None
        or not row["active"]
        or (row["position"], row["text"]) != (tip.position, tip.text)
    )


def _tip(row: dict[str, Any]) -> Tip:
    return Tip(id=row["id"], position=row["position"], text=row["text"])


def _subscriber(row: dict[str, Any]) -> Subscriber:
    return Subscriber(
        chat_id=row["chat_id"],
        subscribed=bool(row["subscribed"]),
        tip_time=time.fromisoformat(row["tip_time"]),
        timezone=row["timezone"],
        next_due=None if row["next_due"] is None else datetime.fromtimestamp(row["next_due"], UTC),
        tip_cursor=row["tip_cursor"],
        blocked=bool(row["blocked"]),
    )


def _delivery(row: dict[str, Any]) -> Delivery:
    return Delivery(
        chat_id=row["chat_id"],
        local_date=date.fromisoformat(row["local_date"]),
        tip_id=row["tip_id"],
        status=DeliveryStatus(row["status"]),
        message_id=row["message_id"],
        attempts=row["attempts"],
    )
