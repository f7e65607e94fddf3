"""The tips: kept in step with the content files, and each chat's place in the sequence."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from content import Tip
from storage import schedule
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
from storage.safety import decide

#: The columns ``_tip`` reads.
_TIP_COLUMNS = "id, position, text, technique, program_day, massage"

#: ``Tip.about_massage`` in SQL, for the tips table (the tips storage keeps are content's).
_ABOUT_MASSAGE = "(technique IS NOT NULL OR massage != 0)"


class Tips(StoreBase):
    """The tips table, and taking a chat's next tip (held-back tips passed over)."""

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
            pick = self._next_tip(subscriber, schedule.local_date(now, subscriber.zone))
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
                    iso_stamp(now),
                ],
            )
            self._reschedule(chat_id, now, done=True)
        return taken

    def tip(self, tip_id: str) -> Tip | None:
        """Return the tip with this id (retired ones too), or None."""
        rows = list(self.db.query(f"SELECT {_TIP_COLUMNS} FROM tips WHERE id = ?", [tip_id]))
        return tip_from_row(rows[0]) if rows else None

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

    def _next_tip(self, subscriber: Subscriber, day: date) -> NextTip:
        """The first tip after the subscriber's place, wrapping round; while massage is held
        on the chat's local date ``day`` (``storage.safety.decide``), the first other one:
        tips about massage are passed over, not queued. A tip about massage carries the
        decision's permit, or the caution check goes out in its place."""
        decision = decide(subscriber.chat_id, subscriber, day)
        rows = list(
            self.db.query(
                f"SELECT {_TIP_COLUMNS} FROM tips "
                f"WHERE active = 1 AND NOT (? AND {_ABOUT_MASSAGE}) "
                "ORDER BY position > ? DESC, position LIMIT 1",
                [decision.held, subscriber.tip_cursor],
            )
        )
        if not rows:
            raise LookupError("no tips in the database")
        tip = tip_from_row(rows[0])
        return NextTip(
            tip,
            program_done=subscriber.program_done,
            left_out=_left_out(subscriber, tip),
            ask_caution=decision.ask and tip.about_massage,
            permit=decision.permit if tip.about_massage else None,
        )


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
