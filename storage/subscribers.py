"""Subscribers' settings and schedule: subscribing, time, timezone, days, pauses, the caution
answer, the fit answers, languages, the weekly look back's day."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from storage.base import StoreBase
from storage.models import (
    Caution,
    Subscriber,
    epoch,
    is_evening,
    iso_stamp,
    next_weekly,
    subscriber_from_row,
)
from storage.rules import schedule
from storage.rules.choosing import BelowKnee, DaysLike, Focus


class Keep:
    """An answer not given to ``Subscribers.set_fit``: it stays as it was."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP = Keep()


#: Each answer to the caution check, and the answers it may follow (None: never answered).
#: "None apply" cannot overrule "something applies" (an old check message pressed later),
#: and "my doctor has cleared me" only follows "something applies". ``ASKED`` is no answer:
#: the check went out in place of a tip (``Tips.take_tip``).
CAUTION_FOLLOWS: dict[Caution, frozenset[Caution | None]] = {
    Caution.NONE: frozenset({None, Caution.ASKED, Caution.NONE}),
    Caution.APPLIES: frozenset({None, *Caution}),
    Caution.CLEARED: frozenset({Caution.APPLIES, Caution.CLEARED}),
}


class Subscribers(StoreBase):
    """Each chat's settings, and when its next tip is due."""

    def ensure(self, chat_id: int, now: datetime) -> Subscriber:
        """Return the chat's settings, creating them with the defaults (unsubscribed)."""
        with self.db.atomic():
            return self._ensure(chat_id, now)

    def settings_of(self, chat_id: int) -> Subscriber:
        """Return the chat's settings, or the defaults ``ensure`` would store for a new chat;
        reading stores nothing (/settings after /deletedata leaves no row)."""
        return self.subscriber(chat_id) or Subscriber(
            chat_id=chat_id,
            subscribed=False,
            tip_time=self.default_time,
            timezone=self.default_timezone,
            next_due=None,
            tip_cursor=0,
            tips_seen=b"",
        )

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
                self._update(chat_id, now, subscribed=1, blocked=0, subscribed_at=iso_stamp(since))
                self._reschedule(chat_id, now)
                # The weekly look back comes again on the day chosen, from its next one on.
                self._update(chat_id, now, weekly_due=_weekly_due(self._get(chat_id), now))
            return self._get(chat_id), not before.subscribed

    def unsubscribe(self, chat_id: int, now: datetime) -> tuple[Subscriber, bool]:
        """Turn the daily tip off, and the weekly look back with it, keeping the settings
        (the look back's day too, for a later ``subscribe``).

        Returns:
            The settings, and whether this changed anything (False if not subscribed).
        """
        with self.db.atomic():
            before = self._ensure(chat_id, now)
            if before.subscribed:
                self._update(
                    chat_id, now, subscribed=0, next_due=None, subscribed_at=None, weekly_due=None
                )
            return self._get(chat_id), before.subscribed

    def set_time(self, chat_id: int, at: time, now: datetime) -> Subscriber:
        """Set the chat's local time of day for the tip and reschedule it."""
        with self.db.atomic():
            self._ensure(chat_id, now)
            self._update(chat_id, now, tip_time=schedule.format_time(at))
            self._reschedule(chat_id, now)
            return self._get(chat_id)

    def set_evening(self, chat_id: int, at: time, now: datetime) -> Subscriber:
        """Set the chat's evening time, for a tip put off "until this evening".

        Raises:
            ValueError: if ``at`` is not an evening time (``models.is_evening``).
        """
        if not is_evening(at):
            raise ValueError(f"not an evening time: {at}")
        with self.db.atomic():
            self._ensure(chat_id, now)
            self._update(chat_id, now, evening_time=schedule.format_time(at))
            return self._get(chat_id)

    def set_weekly(self, chat_id: int, weekday: int | None, now: datetime) -> Subscriber:
        """Choose the weekday of the weekly summary (Monday = 0), or None to stop it. It is
        due only while the chat is subscribed: a day chosen before waits for ``subscribe``."""
        if weekday is not None and not 0 <= weekday <= 6:
            raise ValueError(f"not a weekday: {weekday!r}")
        with self.db.atomic():
            self._ensure(chat_id, now)
            self._update(chat_id, now, weekly_day=weekday)
            self._update(chat_id, now, weekly_due=_weekly_due(self._get(chat_id), now))
            return self._get(chat_id)

    def due_weeklies(self, now: datetime, limit: int) -> list[Subscriber]:
        """Take up to ``limit`` subscribed chats whose weekly summary is due at ``now``: each
        one's next is moved a week on in the same transaction, so it is sent at most once
        (and a bot that was down sends one, not several)."""
        with self.db.atomic():
            # Unsubscribing clears weekly_due; "subscribed" here too guards rows an older
            # version left due (m019 clears those).
            rows = list(
                self.db.query(
                    "SELECT * FROM subscribers WHERE weekly_due IS NOT NULL AND weekly_due <= ? "
                    "AND subscribed != 0 ORDER BY weekly_due LIMIT ?",
                    [epoch(now), limit],
                )
            )
            taken = [subscriber_from_row(row) for row in rows]
            for subscriber in taken:
                assert subscriber.weekly_day is not None
                due = next_weekly(subscriber.weekly_day, subscriber.zone, now)
                self._update(subscriber.chat_id, now, weekly_due=epoch(due))
        return taken

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
            # The look back's weekday and hour, in the new zone.
            self._update(chat_id, now, weekly_due=_weekly_due(self._get(chat_id), now))
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

    def choose_days(self, chat_id: int, days: int, now: datetime) -> tuple[Subscriber, bool]:
        """Set the delivery days to ``days`` (every day, weekdays) unless they are so
        already: then nothing is stored, not even a row for a chat the bot never knew.

        Returns:
            The settings, and whether this changed anything.

        Raises:
            ValueError: if the mask allows no day.
        """
        with self.db.atomic():
            before = self.settings_of(chat_id)
            if before.days == days:
                return before, False
            return self.set_days(chat_id, days, now), True

    def toggle_day(self, chat_id: int, weekday: int, now: datetime) -> tuple[Subscriber, bool]:
        """Add the weekday (Monday = 0) to the delivery days, or take it away, and
        reschedule; the last day left cannot be taken away: tips come on one day at least.

        Returns:
            The settings, and whether this changed anything (False: it was the last day).
        """
        with self.db.atomic():
            before = self.settings_of(chat_id)
            days = before.days ^ (1 << weekday)
            if not days & schedule.EVERY_DAY:
                return before, False
            return self.set_days(chat_id, days, now), True

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
                resume_on = schedule.local_date_in(now, subscriber.timezone) + timedelta(days=days)
            self._update(chat_id, now, resume_on=resume_on.isoformat())
            self._reschedule(chat_id, now)
            return self._get(chat_id)

    def pause_if_subscribed(
        self, chat_id: int, days: int | None, now: datetime
    ) -> Subscriber | None:
        """What /pause and the pause buttons do: ``pause`` a chat that gets the daily tip.

        Returns:
            The settings, or None (nothing stored) if the chat is not subscribed: there is
            no tip to pause.
        """
        with self.db.atomic():
            before = self.subscriber(chat_id)
            if before is None or not before.subscribed:
                return None
            return self.pause(chat_id, days, now)

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

    def answer_caution(self, chat_id: int, answer: Caution, now: datetime) -> Subscriber | None:
        """Record an answer pressed on the caution check, if it may follow the answer
        recorded now (``CAUTION_FOLLOWS``).

        Returns:
            The settings, or None (nothing stored) when it may not: an old check message
            pressed later, or a forged press.

        Raises:
            ValueError: if ``answer`` is ``Caution.ASKED``, which no one answers.
        """
        if answer not in CAUTION_FOLLOWS:
            raise ValueError(f"not an answer to the caution check: {answer!r}")
        with self.db.atomic():
            before = self.subscriber(chat_id)
            if (before.caution if before else None) not in CAUTION_FOLLOWS[answer]:
                return None
            return self.set_caution(chat_id, answer, now)

    def set_fit(
        self,
        chat_id: int,
        now: datetime,
        *,
        below_knee: str | Keep | None = KEEP,
        days_like: str | Keep | None = KEEP,
        focus: str | Keep | None = KEEP,
    ) -> Subscriber:
        """Record answers to the three questions that fit the tips to the person
        (``storage.rules.choosing``): each one of its enum's values, or None for skipped; an
        answer not given (``KEEP``) stays as it was.

        Raises:
            ValueError: if an answer is not one of its question's (nothing is stored).
        """
        values: dict[str, str | None] = {}
        for column, kind, value in (
            ("below_knee", BelowKnee, below_knee),
            ("days_like", DaysLike, days_like),
            ("focus", Focus, focus),
        ):
            if isinstance(value, Keep):
                continue
            values[column] = None if value is None else kind(value).value
        with self.db.atomic():
            self._ensure(chat_id, now)
            self._update(chat_id, now, **values)
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
                [language, iso_stamp(now), chat_id, language],
            ).rowcount
        )

    def give_back_weeklies(self, taken: Iterable[Subscriber]) -> None:
        """Look backs ``due_weeklies`` took but the bot stopped before sending: due again
        as they were (each chat's earlier due instant), unless the chat changed it since."""
        with self.db.atomic():
            for subscriber in taken:
                if subscriber.weekly_due is None or subscriber.weekly_day is None:
                    continue
                self.db.execute(
                    "UPDATE subscribers SET weekly_due = ? WHERE chat_id = ? "
                    "AND weekly_day = ? AND weekly_due > ?",
                    [
                        epoch(subscriber.weekly_due),
                        subscriber.chat_id,
                        subscriber.weekly_day,
                        epoch(subscriber.weekly_due),
                    ],
                )


def _weekly_due(subscriber: Subscriber, now: datetime) -> int | None:
    """When the chat's next weekly summary is due (as stored): its chosen day's next
    ``WEEKLY_AT`` in its zone, or None if it chose none or is not subscribed (or its zone
    no longer loads: the row is set aside until /timezone, which schedules it again)."""
    if subscriber.weekly_day is None or not subscriber.subscribed:
        return None
    try:
        zone = subscriber.zone
    except schedule.ZoneError:
        return None
    return epoch(next_weekly(subscriber.weekly_day, zone, now))
