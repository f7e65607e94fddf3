"""What storage returns: frozen dataclasses and enums, and the rows they are read from."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from content import Tip
from storage.rules import schedule

if TYPE_CHECKING:
    from storage.rules.safety import Permit


class DeliveryStatus(enum.StrEnum):
    """Where one subscriber's tip for one local day stands.

    claimed -> sending -> sent, or -> failed (retried later the same local day), or
    -> blocked (the user blocked the bot or the chat is gone; no retry that day).
    A row left "claimed" by a crash was never sent and is released on the next start;
    one left "sending" may or may not have reached the user and becomes "uncertain":
    it is never sent again (at most once), so at most the in-flight messages are uncertain.
    """

    CLAIMED = "claimed"  # picked by the dispatcher, not yet sent
    SENDING = "sending"  # the request is on its way
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"  # the user blocked the bot, or the chat is gone
    SKIPPED = "skipped"  # the local day passed while the bot was down
    UNCERTAIN = "uncertain"  # was "sending" when the bot stopped without a clean shutdown


class BroadcastStatus(enum.StrEnum):
    """Where one chat's copy of a broadcast stands: pending -> sending (written just before
    the request) -> sent, blocked or failed; as for daily tips, a copy left "sending" by a
    crash becomes "uncertain" and is never sent again, so nobody gets a broadcast twice."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    BLOCKED = "blocked"  # the user blocked the bot, or the chat is gone
    FAILED = "failed"
    UNCERTAIN = "uncertain"  # was "sending" when the bot stopped without a clean shutdown
    CANCELLED = "cancelled"  # still pending when the operator cancelled the broadcast


class Caution(enum.StrEnum):
    """Where the caution check stands: shown before the first technique card, and in place
    of the first tip about massage for a chat that never answered it."""

    ASKED = "asked"  # the check came in place of a tip and is not answered yet
    NONE = "none"  # none of the massage cautions apply
    APPLIES = "applies"  # something applies: ask a doctor first
    CLEARED = "cleared"  # something applied, and a doctor has cleared the user


class DayOne(enum.StrEnum):
    """When a newcomer's day 1 comes, as they subscribe (``Subscriber.day_one``)."""

    #: Today's tip time has passed: day 1 comes at once and counts as today's tip
    #: (``Tips.take_first_tip``); day 2 comes on the next day.
    NOW = "now"
    #: At today's tip time, still to come (or after /resume, for a chat paused until then).
    LATER = "later"


#: Statuses that mean the day's tip is handled and must not be sent again.
DONE_STATUSES = tuple(
    status.value
    for status in (
        DeliveryStatus.CLAIMED,
        DeliveryStatus.SENDING,
        DeliveryStatus.SENT,
        DeliveryStatus.UNCERTAIN,
    )
)


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
    #: The safety decision's permit, which a tip about massage needs (``storage.rules.safety``).
    permit: Permit | None = None
    #: The chat's history of tips as it was read (None: not kept yet), and with this tip
    #: added: written when the tip is sent, unless the history changed since.
    history: tuple[bytes | None, bytes] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.tip.about_massage and self.permit is None and not self.ask_caution:
            raise ValueError(f"tip {self.tip.id} is about massage: it needs a Permit")


#: The evening time of a chat that never chose one.
DEFAULT_EVENING = time(20, 0)
#: The evening times /evening accepts, first and last: "this evening" is never the
#: morning, nor after midnight.
EVENING_FIRST, EVENING_LAST = time(17, 0), time(23, 30)
#: "Later" under the day before's tip still works this long after local midnight (a tip
#: at 23:30 can be put off at 00:10); older tips' buttons are stale.
LATER_GRACE = timedelta(hours=1)


def is_evening(at: time) -> bool:
    """Whether ``at`` is a time /evening accepts (``EVENING_FIRST`` to ``EVENING_LAST``)."""
    return EVENING_FIRST <= at <= EVENING_LAST


#: The weekly summary comes at this local time on the chosen day.
WEEKLY_AT = time(18, 0)


def next_weekly(weekday: int, zone: tzinfo, now: datetime) -> datetime:
    """The first ``WEEKLY_AT`` on ``weekday`` in ``zone`` after ``now``."""
    today = schedule.local_date(now, zone)
    for offset in range(8):
        day = today + timedelta(days=offset)
        if day.weekday() == weekday:
            instant = schedule.due_instant(day, WEEKLY_AT, zone)
            if instant > now:
                return instant
    raise AssertionError("a weekday comes within 8 days")  # pragma: no cover


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
    #: Why the row was set aside (it could not be scheduled or claimed), or None. Such a row
    #: is due never, so it holds up no one; setting the time or timezone again clears it.
    quarantine: str | None = None
    #: The local date the user last reported a bad day (/flare), or None.
    flare_on: date | None = None
    #: The evening time a tip put off "until this evening" comes at (None: the default).
    evening_time: time | None = None
    #: The weekday of the weekly summary (Monday = 0), or None: not wanted.
    weekly_day: int | None = None
    #: When the next weekly summary is due (None: not wanted).
    weekly_due: datetime | None = None
    #: The local date of the session's pain stop, and of a session that felt worse: each
    #: holds massage for the rest of that day (``storage.rules.safety``).
    pain_stop_on: date | None = None
    worse_on: date | None = None
    #: The local date a warning sign was reported at a check-in, until the user says a
    #: clinician has seen them (None: nothing reported, or seen since).
    warning_sign_on: date | None = None
    #: The answers to the three questions that fit the tips to the person
    #: (``storage.rules.choosing``); None: not answered, or skipped.
    below_knee: str | None = None
    days_like: str | None = None
    focus: str | None = None
    #: The tips had, per slot the day last sent (``choosing.Seen``); None: not kept yet.
    tips_seen: bytes | None = None

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

    @property
    def evening(self) -> time:
        """The evening time a put-off tip comes at: the chat's, or 20:00 (also for a time
        an older version accepted outside the evening hours)."""
        if self.evening_time is None or not is_evening(self.evening_time):
            return DEFAULT_EVENING
        return self.evening_time

    def later_options(self, day: date, now: datetime) -> dict[str, datetime]:
        """When the tip of local date ``day`` may be put off to, from ``now``: in an hour,
        and this evening (the chat's evening time on that date, if still to come).

        Only the tip of the chat's local today can be put off, or yesterday's within
        ``LATER_GRACE`` after local midnight; for any other day (an old or forged button),
        none."""
        today = schedule.local_date(now, self.zone)
        midnight = schedule.due_instant(today, time(0, 0), self.zone)
        if day != today and not (day == today - timedelta(days=1) and now < midnight + LATER_GRACE):
            return {}
        options = {"hour": now + timedelta(hours=1)}
        evening = schedule.due_instant(day, self.evening, self.zone)
        if evening > now + timedelta(minutes=5):
            options["evening"] = evening
        return options

    def day_one(self, now: datetime) -> DayOne | None:
        """When day 1 comes to a chat that has just subscribed; None if it had tips before."""
        if self.tip_cursor != 0:
            return None
        due = self.next_due
        if due is not None and schedule.local_date(due, self.zone) > schedule.local_date(
            now, self.zone
        ):
            return DayOne.NOW
        return DayOne.LATER

    def paused_on(self, day: date) -> bool:
        """Whether the daily tip is paused on the subscriber's local date ``day``."""
        return schedule.paused_on(self.resume_on, day)

    def paused_at(self, now: datetime) -> bool:
        """Whether the daily tip is paused at ``now``, by the subscriber's local date."""
        return self.paused_on(schedule.local_date_in(now, self.timezone))


#: Columns of the subscribers table that ``Store._update`` may set: every ``Subscriber``
#: field but the key, and the update stamp. A column is declared by its migration and its
#: field; tests/storage/test_store.py checks that the table, the fields and ``subscriber_from_row``
#: agree.
SUBSCRIBER_COLUMNS = frozenset(
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
    #: Put off with "Later" already (once per tip).
    snoozed: bool = False


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


def quarantine_reason(error: Exception) -> str:
    """Why a row could not be scheduled or claimed, in words that never repeat its values
    (a log line must not carry what a user once typed)."""
    if isinstance(error, schedule.ZoneError):
        return str(error)
    return f"{type(error).__name__} while scheduling"


def iso_stamp(now: datetime) -> str:
    """An instant as stored in the *_at text columns: UTC, ISO 8601, whole seconds."""
    return now.astimezone(UTC).isoformat(timespec="seconds")


def epoch(instant: datetime) -> int:
    """An instant as stored in next_due and due_at: whole seconds since 1970 (indexed)."""
    return int(instant.timestamp())


def tip_from_row(row: dict[str, Any]) -> Tip:
    """A row of the tips table as the content's Tip."""
    return Tip(
        id=row["id"],
        position=row["position"],
        text=row["text"],
        technique=row["technique"],
        program_day=row["program_day"],
        massage=bool(row["massage"]),
        topic=row["topic"] or "moving",
        source=row["source"] or "nice_ng59",
    )


def subscriber_from_row(row: dict[str, Any]) -> Subscriber:
    """A row of the subscribers table (every column: see SUBSCRIBER_COLUMNS)."""
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
        quarantine=row["quarantine"],
        flare_on=None if row["flare_on"] is None else date.fromisoformat(row["flare_on"]),
        evening_time=None
        if row["evening_time"] is None
        else time.fromisoformat(row["evening_time"]),
        weekly_day=row["weekly_day"],
        weekly_due=None
        if row["weekly_due"] is None
        else datetime.fromtimestamp(row["weekly_due"], UTC),
        pain_stop_on=_day(row["pain_stop_on"]),
        worse_on=_day(row["worse_on"]),
        warning_sign_on=_day(row["warning_sign_on"]),
        # Read with .get: rows written before m021 (a migration's own tests) lack them.
        below_knee=row.get("below_knee"),
        days_like=row.get("days_like"),
        focus=row.get("focus"),
        tips_seen=row.get("tips_seen"),
    )


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def delivery_from_row(row: dict[str, Any]) -> Delivery:
    """A row of the deliveries table."""
    return Delivery(
        chat_id=row["chat_id"],
        local_date=date.fromisoformat(row["local_date"]),
        tip_id=row["tip_id"],
        status=DeliveryStatus(row["status"]),
        message_id=row["message_id"],
        attempts=row["attempts"],
        snoozed=bool(row.get("snoozed", 0)),
    )
