"""Typed access to the bot's SQLite file: subscribers, tips and the delivery log."""

from __future__ import annotations

import enum
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from content import Tip
from storage import schedule
from storage.checkins import MAX_SCORE, MIN_SCORE, WINDOW, Checkin, rising, streak
from storage.migrations import migrations

#: How many batches one claim_due call looks through for something to send.
CLAIM_PASSES = 10
#: A failed send is tried again this much later, this many times in all, on the same local day.
RETRY_DELAY = timedelta(minutes=5)
MAX_ATTEMPTS = 3


class DeliveryStatus(enum.StrEnum):
    """Where one subscriber's tip for one local day stands.

    claimed -> sending -> sent, or -> failed (retried later the same local day).
    A row left "claimed" by a crash was never sent and is released on the next start;
    one left "sending" may or may not have reached the user and becomes "uncertain":
    it is never sent again (at most once), so at most the in-flight messages are uncertain.
    """

    CLAIMED = "claimed"  # picked by the dispatcher, not yet sent
    SENDING = "sending"  # the request is on its way
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"  # the local day passed while the bot was down
    UNCERTAIN = "uncertain"  # was "sending" when the bot stopped without a clean shutdown


class Caution(enum.StrEnum):
    """Where the caution check stands: shown before the first technique card, and in place
    of the first tip about massage for a chat that never answered it."""

    ASKED = "asked"  # the check came in place of a tip and is not answered yet
    NONE = "none"  # none of the massage cautions apply
    APPLIES = "applies"  # something applies: ask a doctor first
    CLEARED = "cleared"  # something applied, and a doctor has cleared the user

    @property
    def allows_massage(self) -> bool:
        """Whether this answer lets technique cards and tips about massage through."""
        return self in (Caution.NONE, Caution.CLEARED)


class TechniqueTips(enum.StrEnum):
    """Whether tips that teach a technique or suggest massage may reach a chat, and if not,
    why. ``Subscriber.technique_tips`` is the one place this is decided."""

    ON = "on"
    #: The caution check was never answered: it goes out in place of the first such tip.
    ASK = "ask"
    #: The check came in place of a tip and is not answered yet: passed over until it is.
    UNANSWERED = "unanswered"
    #: Something on the caution list applies: passed over until a doctor clears the user.
    CAUTION = "caution"
    #: Check-ins rose: passed over until the user says they feel fine.
    CHECKINS = "checkins"

    @property
    def held(self) -> bool:
        """Whether such tips are passed over (not queued: the sequence goes on without them)."""
        return self not in (TechniqueTips.ON, TechniqueTips.ASK)


#: Statuses that mean the day's tip is handled and must not be sent again.
_DONE = tuple(
    status.value
    for status in (
        DeliveryStatus.CLAIMED,
        DeliveryStatus.SENDING,
        DeliveryStatus.SENT,
        DeliveryStatus.UNCERTAIN,
    )
)


#: The columns ``_tip`` reads.
_TIP_COLUMNS = "id, position, text, technique, program_day, massage"
#: ``Tip.about_massage`` in SQL, for the tips table (the tips storage keeps are content's).
_ABOUT_MASSAGE = "(technique IS NOT NULL OR massage != 0)"


@dataclass(frozen=True)
class NextTip:
    """A chat's next tip in its sequence, and what goes with it when shown."""

    tip: Tip
    #: The chat had finished the program before this tip: no "Day N of 30".
    program_done: bool = False
    #: The first and last program day passed over to reach this tip (tips about massage
    #: held back), or None: the "Day N of 30" line says they were left out.
    left_out: tuple[int, int] | None = None
    #: The chat never answered the caution check and this tip is about massage: the
    #: check goes out in its place, and the tip only after an answer that allows massage.
    ask_caution: bool = False


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
    #: Weekdays tips come on, as a mask with Monday = bit 0 (see ``schedule.EVERY_DAY``).
    days: int = schedule.EVERY_DAY
    #: While paused, the first local date tips come again (``date.max``: until /resume).
    resume_on: date | None = None
    #: The answer to the caution check, or None if it was never answered (or retaken).
    caution: Caution | None = None
    #: Check-ins rose: tips about massage are skipped until the user says they are fine.
    hold_techniques: bool = False
    #: The user asked for a check-in button under each daily tip.
    checkin_prompt: bool = False
    #: When the current subscription began (None while not subscribed).
    subscribed_at: datetime | None = None
    #: The language chosen with /language, or None to follow the Telegram app's.
    language: str | None = None
    #: The language the user's Telegram app last reported, as a content language.
    telegram_language: str | None = None
    #: The user has had a tip from after the program: no more "Day N of 30".
    program_done: bool = False

    @property
    def speaks(self) -> str | None:
        """The language to write to this chat in: chosen, else the app's (None: unknown)."""
        return self.language or self.telegram_language

    @property
    def active(self) -> bool:
        """Whether daily tips go to this chat: subscribed, and the bot not blocked."""
        return self.subscribed and not self.blocked

    @property
    def zone(self) -> tzinfo:
        """The subscriber's timezone as a tzinfo."""
        return schedule.resolve(self.timezone)

    def paused_on(self, day: date) -> bool:
        """Whether the daily tip is paused on the subscriber's local date ``day``."""
        return schedule.paused_on(self.resume_on, day)

    def paused_at(self, now: datetime) -> bool:
        """Whether the daily tip is paused at ``now``, by the subscriber's local date."""
        return self.paused_on(schedule.local_date(now, self.zone))

    @property
    def technique_tips(self) -> TechniqueTips:
        """Whether tips about massage may come, and why not: a caution that applies (or an
        unanswered check) first, since only the user's doctor or answer lifts it."""
        if self.caution is Caution.APPLIES:
            return TechniqueTips.CAUTION
        if self.caution is Caution.ASKED:
            return TechniqueTips.UNANSWERED
        if self.hold_techniques:
            return TechniqueTips.CHECKINS
        if self.caution is None:
            return TechniqueTips.ASK
        return TechniqueTips.ON


#: Columns of the subscribers table that ``Store._update`` may set: every ``Subscriber``
#: field but the key, and the update stamp. A column is declared by its migration and its
#: field; tests/storage/test_store.py checks that the table, the fields and ``_subscriber``
#: agree.
_SUBSCRIBER_COLUMNS = frozenset(
    {field.name for field in fields(Subscriber) if field.name != "chat_id"} | {"updated_at"}
)


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
class Claim:
    """A tip the dispatcher has claimed for one subscriber and local day, ready to send."""

    chat_id: int
    day: date
    pick: NextTip
    #: When it was due; a claim released unsent makes the subscriber due at this instant again.
    due_at: datetime
    #: The tip goes out with a check-in button (the subscriber opted in).
    checkin_prompt: bool = False
    #: The subscriber's language (None: the default).
    language: str | None = None

    @property
    def tip(self) -> Tip:
        """The claimed tip (or the one the caution check goes out in place of)."""
        return self.pick.tip

    @property
    def program_done(self) -> bool:
        """The subscriber had finished the program when this was claimed."""
        return self.pick.program_done


@dataclass(frozen=True)
class Recovery:
    """What ``recover`` found left over from a run that did not shut down cleanly."""

    released: int
    uncertain: int


@dataclass(frozen=True)
class TipSync:
    """What ``sync_tips`` changed."""

    added: int
    updated: int
    retired: int


@dataclass(frozen=True)
class Progress:
    """What /progress shows: recent check-ins, the streak and how long the user has subscribed."""

    today: date
    #: Check-ins in the window ending today, oldest first.
    checkins: list[Checkin]
    #: Days in a row with a check-in, up to today (or yesterday, before today's check-in).
    streak: int
    #: Local days since the subscription began, counting its first day; None if not subscribed.
    days_subscribed: int | None


class Store:
    """The bot's database. All methods run on the caller's thread and commit before returning."""

    def __init__(
        self,
        path: str | Path,
        *,
        default_timezone: str = "UTC",
        default_time: time = time(9, 0),
        autocheckpoint: bool = True,
    ) -> None:
        """Open (creating if needed) the SQLite file at ``path``.

        Args:
            path: the database file.
            default_timezone: timezone given to new chats (an IANA name or "UTC+HH:MM").
            default_time: local time of day given to new chats.
            autocheckpoint: let SQLite copy the WAL into the database during commits. The
                bot turns it off and calls ``checkpoint`` from a thread instead, so no
                commit on the event loop stalls for a checkpoint (bench/dispatch.py).
        """
        schedule.resolve(default_timezone)
        self.path = Path(path)
        self.db = Database(path)
        self.db.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL survives a crash of the process (SIGKILL included) without
        # corruption or loss; only a power cut can drop the last commits. It saves an fsync
        # per commit, and the sender commits twice per message.
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA busy_timeout=5000")
        if not autocheckpoint:
            self.db.execute("PRAGMA wal_autocheckpoint=0")
        self.default_timezone = default_timezone
        self.default_time = default_time

    def checkpoint(self) -> int:
        """Copy committed WAL pages into the database file without blocking writers.

        Safe to call from another thread: it uses a connection of its own.

        Returns:
            How many WAL frames were checkpointed.
        """
        with closing(sqlite3.connect(self.path, timeout=5)) as connection:
            _, _, done = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return int(done)

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

    def sync_tips(self, tips: Iterable[Tip], now: datetime) -> TipSync:
        """Make the tips table match the content files, keyed by tip id.

        Tips no longer in the files are retired (kept for the delivery log, never sent).

        Args:
            tips: the tips from the content files, in order, with their program days.
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
                "technique": tip.technique,
                "massage": int(tip.massage),
                "program_day": tip.program_day,
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

    def take_tip(self, chat_id: int, now: datetime) -> NextTip:
        """Return the chat's next tip in sequence and move its place on (for /tip).

        When the caution check goes out in its place (``NextTip.ask_caution``), the place
        moves on all the same and the check counts as asked: the tips about massage after
        it are passed over until the check is answered.

        Raises:
            LookupError: if there are no tips at all.
        """
        with self.db.atomic():
            subscriber = self._ensure(chat_id, now)
            pick = self._next_tip(subscriber)
            self._advance(chat_id, pick, now)
        return pick

    def take_first_tip(self, chat_id: int, now: datetime) -> NextTip:
        """Like ``take_tip``, and count it as today's tip: the next comes on the next day.

        For a new subscriber whose tip time today has passed: day 1 now, day 2 tomorrow.
        """
        with self.db.atomic():
            taken = self.take_tip(chat_id, now)
            subscriber = self._get(chat_id)
            self.db.execute(
                "INSERT OR IGNORE INTO deliveries "
                "(chat_id, local_date, tip_id, status, attempts, updated_at) "
                "VALUES (?, ?, ?, ?, 1, ?)",
                [
                    chat_id,
                    schedule.local_date(now, subscriber.zone).isoformat(),
                    taken.tip.id,
                    DeliveryStatus.SENT.value,
                    _stamp(now),
                ],
            )
            self._reschedule(chat_id, now, done=True)
        return taken

    def tip(self, tip_id: str) -> Tip | None:
        """Return the tip with this id (retired ones too), or None."""
        rows = list(self.db.query(f"SELECT {_TIP_COLUMNS} FROM tips WHERE id = ?", [tip_id]))
        return _tip(rows[0]) if rows else None

    def _advance(self, chat_id: int, pick: NextTip, now: datetime) -> None:
        """Move the chat's place to the picked tip; a tip after the program ends the
        program, and a caution check sent in its place counts as asked."""
        values: dict[str, Any] = {"tip_cursor": pick.tip.position}
        if pick.tip.program_day is None:
            values["program_done"] = 1
        self._update(chat_id, now, **values)
        if pick.ask_caution:
            # Only if still unanswered: the user may have answered since the claim.
            self.db.execute(
                "UPDATE subscribers SET caution = ? WHERE chat_id = ? AND caution IS NULL",
                [Caution.ASKED.value, chat_id],
            )

    def _next_tip(self, subscriber: Subscriber) -> NextTip:
        """The first tip after the subscriber's place, wrapping round; while tips about
        massage are held back (``Subscriber.technique_tips``), the first other one: those
        are passed over, not queued."""
        gate = subscriber.technique_tips
        rows = list(
            self.db.query(
                f"SELECT {_TIP_COLUMNS} FROM tips "
                f"WHERE active = 1 AND NOT (? AND {_ABOUT_MASSAGE}) "
                "ORDER BY position > ? DESC, position LIMIT 1",
                [gate.held, subscriber.tip_cursor],
            )
        )
        if not rows:
            raise LookupError("no tips in the database")
        tip = _tip(rows[0])
        return NextTip(
            tip,
            program_done=subscriber.program_done,
            left_out=_left_out(subscriber, tip),
            ask_caution=gate is TechniqueTips.ASK and tip.about_massage,
        )

    # Subscribers ------------------------------------------------------------------------

    def subscriber(self, chat_id: int) -> Subscriber | None:
        """Return the chat's settings, or None if the chat never used the bot."""
        # Plain SQL: these two lookups run for every claim (sqlite-utils' rows_where reads
        # the schema first, a third of claim_due's time at 1M subscribers).
        rows = list(self.db.query("SELECT * FROM subscribers WHERE chat_id = ?", [chat_id]))
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
                since = (before.subscribed_at if before.subscribed else None) or now
                self._update(chat_id, now, subscribed=1, blocked=0, subscribed_at=_stamp(since))
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
                self._update(chat_id, now, subscribed=0, next_due=None, subscribed_at=None)
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
        # Plain SQL on the hot path: sqlite-utils' Table.update reads the schema each call,
        # which was half the storage cost per sent tip. Names come from this module only.
        values["updated_at"] = _stamp(now)
        assert values.keys() <= _SUBSCRIBER_COLUMNS, values.keys() - _SUBSCRIBER_COLUMNS
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
            [None if due is None else _epoch(due), chat_id],
        )

    def _done(self, chat_id: int, day: date) -> bool:
        delivery = self.delivery(chat_id, day)
        return delivery is not None and delivery.status in _DONE

    def set_days(self, chat_id: int, days: int, now: datetime) -> Subscriber:
        """Set the weekdays tips come on (a mask, see ``schedule.EVERY_DAY``) and reschedule.

        Raises:
            ValueError: if the mask allows no day.
        """
        if not days & schedule.EVERY_DAY or days & ~schedule.EVERY_DAY:
            raise ValueError(f"bad delivery days {days!r}")
        with self.db.atomic():
            self._ensure(chat_id, now)
            self._update(chat_id, now, days=days)
            self._reschedule(chat_id, now)
            return self._get(chat_id)

    def pause(self, chat_id: int, days: int | None, now: datetime) -> Subscriber:
        """Pause the daily tip for ``days`` local days from today, or until ``resume``.

        Raises:
            ValueError: if ``days`` is not between 1 and 365.
        """
        if days is not None and not 1 <= days <= schedule.MAX_PAUSE_DAYS:
            raise ValueError(f"bad pause length {days!r}")
        with self.db.atomic():
            subscriber = self._ensure(chat_id, now)
            if days is None:
                resume_on = date.max
            else:
                resume_on = schedule.local_date(now, subscriber.zone) + timedelta(days=days)
            self._update(chat_id, now, resume_on=resume_on.isoformat())
            self._reschedule(chat_id, now)
            return self._get(chat_id)

    def resume(self, chat_id: int, now: datetime) -> tuple[Subscriber, bool]:
        """End a pause.

        Returns:
            The settings, and whether the chat was paused.
        """
        with self.db.atomic():
            before = self._ensure(chat_id, now)
            paused = before.paused_at(now)
            if before.resume_on is not None:  # also clears a pause that has run out
                self._update(chat_id, now, resume_on=None)
                self._reschedule(chat_id, now)
            return self._get(chat_id), paused

    def set_caution(self, chat_id: int, value: Caution | None, now: datetime) -> Subscriber:
        """Record the answer to the caution check; None forgets it, so it is asked again."""
        with self.db.atomic():
            self._ensure(chat_id, now)
            self._update(chat_id, now, caution=None if value is None else Caution(value).value)
            return self._get(chat_id)

    def set_checkin_prompt(self, chat_id: int, on: bool, now: datetime) -> Subscriber:
        """Turn the check-in button under each daily tip on or off."""
        with self.db.atomic():
            self._ensure(chat_id, now)
            self._update(chat_id, now, checkin_prompt=int(on))
            return self._get(chat_id)

    def set_language(self, chat_id: int, language: str | None, now: datetime) -> Subscriber:
        """Record the language chosen with /language (None: follow the Telegram app)."""
        with self.db.atomic():
            self._ensure(chat_id, now)
            self._update(chat_id, now, language=language)
            return self._get(chat_id)

    def note_telegram_language(self, chat_id: int, language: str, now: datetime) -> bool:
        """Remember the language the user's app reports, for tips sent without an update.

        Chats the bot does not know are not created.

        Returns:
            Whether anything changed.
        """
        return bool(
            self.db.execute(
                "UPDATE subscribers SET telegram_language = ?, updated_at = ? "
                "WHERE chat_id = ? AND telegram_language IS NOT ?",
                [language, _stamp(now), chat_id, language],
            ).rowcount
        )

    # Pain check-ins ---------------------------------------------------------------------

    def check_in(self, chat_id: int, score: int, now: datetime) -> bool:
        """Store today's pain score for a chat, replacing one given earlier the same local day.

        The day is the chat's local date (the default timezone for a chat without settings).

        Returns:
            Whether the scores are rising (see ``checkins.rising``). If so, tips that teach
            a technique are held back until ``set_hold(chat_id, False)``.

        Raises:
            ValueError: if ``score`` is outside 0–10.
        """
        if not MIN_SCORE <= score <= MAX_SCORE:
            raise ValueError(f"pain score out of range: {score!r}")
        with self.db.atomic():
            row = self.subscriber(chat_id)
            zone = row.zone if row else schedule.resolve(self.default_timezone)
            today = Checkin(schedule.local_date(now, zone), score)
            self.db.execute(
                "INSERT INTO checkins (chat_id, local_date, score, created_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (chat_id, local_date) DO UPDATE "
                "SET score = excluded.score, created_at = excluded.created_at",
                [chat_id, today.local_date.isoformat(), score, _stamp(now)],
            )
            earlier = self._checkins(chat_id, before=today.local_date, limit=WINDOW.days)
            trend = rising(today, earlier)
            if trend:
                self._ensure(chat_id, now)
                self._update(chat_id, now, hold_techniques=1)
        return trend

    def checkins(self, chat_id: int) -> list[Checkin]:
        """A chat's check-ins, oldest first."""
        return self._checkins(chat_id, before=date.max, limit=-1)[::-1]

    def progress(self, chat_id: int, now: datetime, days: int = 30) -> Progress:
        """A chat's check-ins over the last ``days`` local days, its streak and subscription.

        The days are the chat's local dates (the default timezone for a chat without settings).
        """
        subscriber = self.subscriber(chat_id)
        zone = subscriber.zone if subscriber else schedule.resolve(self.default_timezone)
        today = schedule.local_date(now, zone)
        first = today - timedelta(days=days - 1)
        rows = self.db.execute(
            "SELECT local_date, score FROM checkins WHERE chat_id = ? AND local_date <= ? "
            "ORDER BY local_date DESC",
            [chat_id, today.isoformat()],
        )
        everything = [Checkin(date.fromisoformat(day), score) for day, score in rows]
        since = subscriber.subscribed_at if subscriber and subscriber.subscribed else None
        return Progress(
            today=today,
            checkins=[c for c in reversed(everything) if c.local_date >= first],
            streak=streak((c.local_date for c in everything), today),
            days_subscribed=None
            if since is None
            else (today - schedule.local_date(since, zone)).days + 1,
        )

    def _checkins(self, chat_id: int, *, before: date, limit: int) -> list[Checkin]:
        """Up to ``limit`` (-1: all) check-ins dated before ``before``, newest first."""
        rows = self.db.execute(
            "SELECT local_date, score FROM checkins WHERE chat_id = ? AND local_date < ? "
            "ORDER BY local_date DESC LIMIT ?",
            [chat_id, before.isoformat(), limit],
        ).fetchall()
        return [Checkin(date.fromisoformat(day), score) for day, score in rows]

    def set_hold(self, chat_id: int, hold: bool, now: datetime) -> tuple[Subscriber, bool]:
        """Hold back technique tips, or let them come again (the user says they are fine).

        Returns:
            The settings, and whether this changed anything.
        """
        with self.db.atomic():
            before = self._ensure(chat_id, now)
            if before.hold_techniques != hold:
                self._update(chat_id, now, hold_techniques=int(hold))
            return self._get(chat_id), before.hold_techniques != hold

    # Uploaded pictures ------------------------------------------------------------------

    def file_id(self, key: str) -> str | None:
        """Telegram's file id for an uploaded picture (e.g. "zh/pressing"), if known."""
        row = self.db.execute("SELECT file_id FROM media WHERE key = ?", [key]).fetchone()
        return None if row is None else str(row[0])

    def set_file_id(self, key: str, file_id: str, now: datetime) -> None:
        """Remember the file id Telegram gave an uploaded picture."""
        with self.db.atomic():
            self.db.execute(
                "INSERT INTO media (key, file_id, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET file_id = excluded.file_id, "
                "updated_at = excluded.updated_at",
                [key, file_id, _stamp(now)],
            )

    def forget_file_id(self, key: str) -> None:
        """Drop a file id Telegram no longer accepts, so the picture is uploaded again."""
        with self.db.atomic():
            self.db.execute("DELETE FROM media WHERE key = ?", [key])

    # Pauses, counted -------------------------------------------------------------------

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
            if schedule.paused_on(
                date.fromisoformat(resume_on), schedule.local_date(now, schedule.resolve(zone))
            )
        ]

    # Erasure ------------------------------------------------------------------------------

    def delete_chat(self, chat_id: int) -> int:
        """Delete every row about a chat, in every table with a ``chat_id`` column, at once.

        The tables are read from the schema, so a table added later is covered too.

        Returns:
            How many rows were deleted (0 if the bot knew nothing about the chat).
        """
        deleted = 0
        with self.db.atomic():
            for table in chat_tables(self.db):
                deleted += self.db.execute(
                    f"DELETE FROM {_quoted(table)} WHERE chat_id = ?", [chat_id]
                ).rowcount
        return deleted

    # Daily delivery ---------------------------------------------------------------------

    def due(self, now: datetime, limit: int = 100) -> list[Subscriber]:
        """Return up to ``limit`` subscribers whose tip is due at ``now``, earliest first."""
        rows = self.db.query(
            "SELECT * FROM subscribers WHERE next_due IS NOT NULL AND next_due <= ? "
            "ORDER BY next_due LIMIT ?",
            [_epoch(now), limit],
        )
        return [_subscriber(row) for row in rows]

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
        claims: list[Claim] = []
        stamp = _stamp(now)
        with self.db.atomic():
            # A batch may hold only days that passed or were handled (after an outage):
            # look a few batches further before returning empty-handed.
            for _ in range(CLAIM_PASSES):
                rows = self._due_rows(now, limit)
                for row in rows:
                    self._claim_row(_subscriber(row), now, stamp, claims)
                if claims or not rows:
                    break
        return claims

    def has_due(self, now: datetime) -> bool:
        """Whether any subscriber's tip is due at ``now``."""
        return bool(self._due_rows(now, 1))

    def _due_rows(self, now: datetime, limit: int) -> list[dict[str, Any]]:
        return list(
            self.db.query(
                "SELECT * FROM subscribers WHERE next_due IS NOT NULL AND next_due <= ? "
                "ORDER BY next_due LIMIT ?",
                [_epoch(now), limit],
            )
        )

    def _claim_row(
        self, subscriber: Subscriber, now: datetime, stamp: str, claims: list[Claim]
    ) -> None:
        """Claim one due subscriber's tip into ``claims``, or skip or reschedule it."""
        assert subscriber.next_due is not None
        zone = subscriber.zone
        day = schedule.local_date(subscriber.next_due, zone)
        if day < schedule.local_date(now, zone):
            self.db.execute(
                "INSERT OR IGNORE INTO deliveries "
                "(chat_id, local_date, status, attempts, updated_at) "
                "VALUES (?, ?, ?, 0, ?)",
                [subscriber.chat_id, day.isoformat(), DeliveryStatus.SKIPPED.value, stamp],
            )
            self._reschedule(subscriber.chat_id, now, catch_up=True)
            return
        existing = self.delivery(subscriber.chat_id, day)
        if existing is not None and existing.status is not DeliveryStatus.FAILED:
            self._reschedule(subscriber.chat_id, now, done=True)
            return
        pick = self._next_tip(subscriber)
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
                _epoch(subscriber.next_due),
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
            self._advance(claim.chat_id, claim.pick, now)

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
                self._update(claim.chat_id, now, next_due=_epoch(when))
            return when

    def release(self, claims: Iterable[Claim], now: datetime) -> int:
        """Give back claims that were never sent: each subscriber is due again as before.

        Returns:
            How many claims were released (those already sending or sent are kept).
        """
        released = 0
        with self.db.atomic():
            for claim in claims:
                released += self._release(claim.chat_id, claim.day, _epoch(claim.due_at), now)
        return released

    def _release(self, chat_id: int, day: date, due_at: int | None, now: datetime) -> int:
        delivery = self.delivery(chat_id, day)
        if delivery is None or delivery.status is not DeliveryStatus.CLAIMED:
            return 0
        if delivery.attempts > 1:
            self.db.execute(
                "UPDATE deliveries SET status = ?, attempts = attempts - 1, updated_at = ? "
                "WHERE chat_id = ? AND local_date = ?",
                [DeliveryStatus.FAILED.value, _stamp(now), chat_id, day.isoformat()],
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
        elif subscriber.next_due is None or due_at < _epoch(subscriber.next_due):
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
                [DeliveryStatus.UNCERTAIN.value, _stamp(now), DeliveryStatus.SENDING.value],
            ).rowcount
        return Recovery(released=len(leftovers), uncertain=uncertain)

    def _set_status(
        self, claim: Claim, status: DeliveryStatus, now: datetime, *, message_id: int | None = None
    ) -> bool:
        return bool(
            self.db.execute(
                "UPDATE deliveries SET status = ?, message_id = coalesce(?, message_id), "
                "updated_at = ? WHERE chat_id = ? AND local_date = ?",
                [status.value, message_id, _stamp(now), claim.chat_id, claim.day.isoformat()],
            ).rowcount
        )

    def delivery(self, chat_id: int, day: date) -> Delivery | None:
        """Return the delivery log row for a chat and local date, if any."""
        rows = list(
            self.db.query(
                "SELECT * FROM deliveries WHERE chat_id = ? AND local_date = ?",
                [chat_id, day.isoformat()],
            )
        )
        return _delivery(rows[0]) if rows else None

    def deliveries(self, chat_id: int) -> Iterator[Delivery]:
        """Yield a chat's delivery log, oldest day first."""
        for row in self.db.table("deliveries").rows_where(
            "chat_id = ?", [chat_id], order_by="local_date"
        ):
            yield _delivery(row)


def chat_tables(db: Database) -> list[str]:
    """The tables of ``db`` that have a ``chat_id`` column, by name."""
    names = [
        row[0]
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        ).fetchall()
    ]
    return [
        name
        for name in names
        if any(
            column[1] == "chat_id"
            for column in db.execute("SELECT * FROM pragma_table_info(?)", [name]).fetchall()
        )
    ]


def _quoted(identifier: str) -> str:
    """An SQL identifier in double quotes (table names come from the schema, never users)."""
    return '"' + identifier.replace('"', '""') + '"'


def _stamp(now: datetime) -> str:
    return now.astimezone(UTC).isoformat(timespec="seconds")


def _epoch(instant: datetime) -> int:
    return int(instant.timestamp())


def _changed(row: dict[str, Any] | None, tip: Tip) -> bool:
    return (
        row is None
        or not row["active"]
        or (row["position"], row["text"], row["technique"], row["program_day"], row["massage"])
        != (tip.position, tip.text, tip.technique, tip.program_day, int(tip.massage))
    )


def _left_out(subscriber: Subscriber, tip: Tip) -> tuple[int, int] | None:
    """The program days between the subscriber's place and ``tip``, passed over to reach it."""
    if subscriber.program_done or tip.program_day is None:
        return None
    first, last = subscriber.tip_cursor + 1, tip.program_day - 1
    return (first, last) if first <= last else None


def _tip(row: dict[str, Any]) -> Tip:
    return Tip(
        id=row["id"],
        position=row["position"],
        text=row["text"],
        technique=row["technique"],
        program_day=row["program_day"],
        massage=bool(row["massage"]),
    )


def _subscriber(row: dict[str, Any]) -> Subscriber:
    return Subscriber(
        chat_id=row["chat_id"],
        subscribed=bool(row["subscribed"]),
        tip_time=time.fromisoformat(row["tip_time"]),
        timezone=row["timezone"],
        next_due=None if row["next_due"] is None else datetime.fromtimestamp(row["next_due"], UTC),
        tip_cursor=row["tip_cursor"],
        blocked=bool(row["blocked"]),
        days=row["days"],
        resume_on=None if row["resume_on"] is None else date.fromisoformat(row["resume_on"]),
        caution=None if row["caution"] is None else Caution(row["caution"]),
        hold_techniques=bool(row["hold_techniques"]),
        checkin_prompt=bool(row["checkin_prompt"]),
        subscribed_at=None
        if row["subscribed_at"] is None
        else datetime.fromisoformat(row["subscribed_at"]),
        language=row["language"],
        telegram_language=row["telegram_language"],
        program_done=bool(row["program_done"]),
    )


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


def _delivery(row: dict[str, Any]) -> Delivery:
    return Delivery(
        chat_id=row["chat_id"],
        local_date=date.fromisoformat(row["local_date"]),
        tip_id=row["tip_id"],
        status=DeliveryStatus(row["status"]),
        message_id=row["message_id"],
        attempts=row["attempts"],
    )
