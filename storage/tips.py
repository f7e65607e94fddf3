"""The tips: kept in step with the content files, and each chat's place in the sequence."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from content import Tip
from storage.base import StoreBase
from storage.models import (
    Caution,
    DeliveryStatus,
    NextTip,
    Subscriber,
    TipSync,
    iso_stamp,
    tip_from_row,
)
from storage.rules import choosing, schedule
from storage.rules.safety import Hold, decide

#: The columns ``_tip`` reads.
_TIP_COLUMNS = "id, position, text, technique, program_day, massage, topic, source"


class Tips(StoreBase):
    """The tips table, and taking a chat's next tip: the program in order (held-back tips
    passed over), then the library's choice (``storage.rules.choosing``)."""

    #: The tips as ``_next_tip`` reads them, once (``_tips_now``); None until then.
    _tips_cache: _TipsNow | None = None

    def sync_tips(self, tips: Iterable[Tip], now: datetime) -> TipSync:
        """Make the tips table match the content files, keyed by tip id.

        Tips no longer in the files are retired (kept for the delivery log, never sent).

        Args:
            tips: the tips from the content files, in order, with their program days.
            now: the current instant.
        """
        wanted = {tip.id: tip for tip in tips}
        existing = {row["id"]: row for row in self.db.table("tips").rows}
        stamp = iso_stamp(now)
        # A tip keeps its slot for good (each chat's history is kept by slot); a new tip
        # takes the next free one.
        free = max(
            (row["slot"] for row in existing.values() if row["slot"] is not None), default=-1
        )
        slots = {}
        for tip_id in wanted:
            row = existing.get(tip_id)
            if row is None or row["slot"] is None:
                free += 1
                slots[tip_id] = free
            else:
                slots[tip_id] = row["slot"]
        records = [
            {
                "id": tip.id,
                "position": tip.position,
                "text": tip.text,
                "technique": tip.technique,
                "massage": int(tip.massage),
                "program_day": tip.program_day,
                "topic": tip.topic,
                "source": tip.source,
                "slot": slots[tip.id],
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
        self._tips_cache = None
        return TipSync(added=added, updated=len(records) - added, retired=len(retired))

    def tips(self) -> list[Tip]:
        """Return the active tips in sequence order."""
        return [
            tip_from_row(row)
            for row in self.db.table("tips").rows_where("active = 1", order_by="position")
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
            day = schedule.local_date(now, subscriber.zone)
            pick = self._next_tip(subscriber, day)
            self._advance(chat_id, pick, now, day)
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
                    iso_stamp(now),
                ],
            )
            self._reschedule(chat_id, now, done=True)
        return taken

    def tip(self, tip_id: str) -> Tip | None:
        """Return the tip with this id (retired ones too), or None."""
        rows = list(self.db.query(f"SELECT {_TIP_COLUMNS} FROM tips WHERE id = ?", [tip_id]))
        return tip_from_row(rows[0]) if rows else None

    def _advance(self, chat_id: int, pick: NextTip, now: datetime, day: date) -> None:
        """Move the chat's place to the picked tip and add it to the chat's history (as
        had on ``day``); a tip after the program ends the program, and a caution check sent
        in its place counts as asked."""
        values: dict[str, Any] = {"tip_cursor": pick.tip.position}
        if pick.tip.program_day is None:
            values["program_done"] = 1
        self._update(chat_id, now, **values)
        self._remember(chat_id, pick, day)
        if pick.ask_caution:
            # Only if still unanswered: the user may have answered since the claim.
            self.db.execute(
                "UPDATE subscribers SET caution = ? WHERE chat_id = ? AND caution IS NULL",
                [Caution.ASKED.value, chat_id],
            )

    def _remember(self, chat_id: int, pick: NextTip, day: date) -> None:
        """Add the picked tip to the chat's history: the blob worked out when it was
        picked, unless the history changed since (another tip taken meanwhile), then
        worked out again."""
        slot = self._tips_now().slots.get(pick.tip.id)
        if slot is None:
            return
        if pick.history is not None:
            before, after = pick.history
            written = self.db.execute(
                "UPDATE subscribers SET tips_seen = ? WHERE chat_id = ? AND tips_seen IS ?",
                [after, chat_id, before],
            ).rowcount
            if written:
                return
        subscriber = self.subscriber(chat_id)
        if subscriber is None:
            return
        self.db.execute(
            "UPDATE subscribers SET tips_seen = ? WHERE chat_id = ?",
            [self._seen(subscriber).marked(slot, day), chat_id],
        )

    def _next_tip(self, subscriber: Subscriber, day: date) -> NextTip:
        """The chat's next tip on its local date ``day``.

        In the program: the next program day after the subscriber's place; while massage
        is held (``storage.rules.safety.decide``), the first other one: tips about massage are
        passed over, not queued. After it: the library's choice (``storage.rules.choosing``).
        A tip about massage carries the decision's permit, or the caution check goes out
        in its place."""
        decision = decide(subscriber.chat_id, subscriber, day)
        tips, seen = self._tips_now(), self._seen(subscriber)
        tip = None
        if not subscriber.program_done:
            tip = next(
                (
                    t
                    for t in tips.program
                    if t.position > subscriber.tip_cursor
                    and not (decision.held and t.about_massage)
                ),
                None,
            )
        if tip is None:
            flaring = Hold.CHECKINS in decision.holds or (
                subscriber.flare_on is not None
                and 0 <= (day - subscriber.flare_on).days < choosing.FLARE_DAYS
            )
            chosen = self._choose(subscriber, seen, day, held=decision.held, flaring=flaring)
            tip = None if chosen is None else tips.by_id[chosen]
        if tip is None:
            # No library (or nothing in it may come): the first tip after the place,
            # wrapping round, as before the library.
            allowed = [t for t in tips.active if not (decision.held and t.about_massage)]
            after = [t for t in allowed if t.position > subscriber.tip_cursor]
            tip = next(iter(after or allowed), None)
        if tip is None:
            raise LookupError("no tips in the database")
        slot = tips.slots.get(tip.id)
        return NextTip(
            tip,
            program_done=subscriber.program_done,
            left_out=_left_out(subscriber, tip),
            ask_caution=decision.ask and tip.about_massage,
            permit=decision.permit if tip.about_massage else None,
            history=None if slot is None else (subscriber.tips_seen, seen.marked(slot, day)),
        )

    def _choose(
        self, subscriber: Subscriber, seen: choosing.Seen, day: date, *, held: bool, flaring: bool
    ) -> str | None:
        """The library tip ``storage.rules.choosing`` picks for this chat today (its id)."""
        library = self._tips_now().library
        if not library:
            return None
        profile = choosing.Profile(
            below_knee=_answer(choosing.BelowKnee, subscriber.below_knee),
            days=_answer(choosing.DaysLike, subscriber.days_like),
            focus=_answer(choosing.Focus, subscriber.focus),
        )
        situation = choosing.Situation(
            today=day,
            massage_allowed=not held,
            cleared=subscriber.caution is Caution.CLEARED,
            flaring=flaring,
            less_of=self._less_of(subscriber.chat_id),
        )
        pick = choosing.choose(library, seen, profile, situation, seed=subscriber.chat_id)
        return None if pick is None else pick.id

    def _tips_now(self) -> _TipsNow:
        """The tips as ``_next_tip`` reads them: read once, until the tips are synced
        again (only the bot's start syncs them)."""
        cached = self._tips_cache
        if cached is None:
            rows = list(
                self.db.query(f"SELECT {_TIP_COLUMNS}, slot, active FROM tips ORDER BY position")
            )
            active = [tip_from_row(row) for row in rows if row["active"]]
            slots = {row["id"]: row["slot"] for row in rows if row["slot"] is not None}
            library = choosing.Library.of(active, slots)
            cached = _TipsNow(
                active=active,
                program=[tip for tip in active if tip.program_day is not None],
                by_id={tip.id: tip for tip in active},
                slots=slots,
                library=library,
            )
            self._tips_cache = cached
        return cached

    def _seen(self, subscriber: Subscriber) -> choosing.Seen:
        """The chat's history of tips: kept on its row; the first time, read from the
        delivery log (what it holds: ``keep_days``)."""
        if subscriber.tips_seen is not None:
            return choosing.Seen(subscriber.tips_seen)
        slots = self._tips_now().slots
        rows = self.db.execute(
            "SELECT tip_id, max(local_date) FROM deliveries "
            "WHERE chat_id = ? AND tip_id IS NOT NULL GROUP BY tip_id",
            [subscriber.chat_id],
        ).fetchall()
        return choosing.Seen.of(
            (slots[tip_id], date.fromisoformat(day)) for tip_id, day in rows if tip_id in slots
        )

    def _less_of(self, chat_id: int) -> frozenset[str]:
        """Topics the chat marked 👎 more often than 👍."""
        rows = self.db.execute(
            "SELECT tips.topic FROM feedback JOIN tips ON tips.id = feedback.tip_id "
            "WHERE feedback.chat_id = ? GROUP BY tips.topic "
            "HAVING sum(feedback.helpful = 0) > sum(feedback.helpful != 0)",
            [chat_id],
        ).fetchall()
        return frozenset(topic for (topic,) in rows if topic)


@dataclass(frozen=True)
class _TipsNow:
    """The tips in memory: what choosing a chat's next tip reads, without a query."""

    #: The active tips, in order; the program's days among them.
    active: list[Tip]
    program: list[Tip]
    by_id: dict[str, Tip]
    #: Every tip's slot in a chat's history (retired tips' too), by id.
    slots: dict[str, int]
    library: choosing.Library


def _answer(kind: type[choosing.StrEnumT], value: str | None) -> choosing.StrEnumT | None:
    """A stored answer as its kind, or None (not answered, or no longer an answer)."""
    try:
        return None if value is None else kind(value)
    except ValueError:
        return None


def _changed(row: dict[str, Any] | None, tip: Tip) -> bool:
    return (
        row is None
        or not row["active"]
        or row["slot"] is None
        or (
            row["position"],
            row["text"],
            row["technique"],
            row["program_day"],
            row["massage"],
            row["topic"],
            row["source"],
        )
        != (
            tip.position,
            tip.text,
            tip.technique,
            tip.program_day,
            int(tip.massage),
            tip.topic,
            tip.source,
        )
    )


def _left_out(subscriber: Subscriber, tip: Tip) -> tuple[int, int] | None:
    """The program days between the subscriber's place and ``tip``, passed over to reach it."""
    if subscriber.program_done or tip.program_day is None:
        return None
    first, last = subscriber.tip_cursor + 1, tip.program_day - 1
    return (first, last) if first <= last else None
