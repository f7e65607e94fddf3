"""Guided sessions in the database: starting one (at most one running per chat), pausing,
resuming, skipping, ending, and how it felt. Where a session stands at an instant is
worked out by ``storage.rules.sessions`` from what is stored here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from storage.models import iso_stamp
from storage.rules import schedule
from storage.rules.safety import Permit
from storage.rules.sessions import Feeling, Session, SessionState, skip
from storage.safety import SafetyState

_ACTIVE = (SessionState.RUNNING.value, SessionState.PAUSED.value)


class Sessions(SafetyState):
    """A chat's guided sessions, and the holds on massage their endings set."""

    def start_session(
        self, permit: Permit, technique_id: str, language: str, now: datetime
    ) -> Session | None:
        """Start a session of ``technique_id`` now, in ``language``, on the chat's local date,
        for the chat the safety decision allowed it for (``storage.rules.safety``).

        Returns:
            The new session, or None if one is already running or paused in this chat.
        """
        chat_id = permit.chat_id
        with self.db.atomic():
            if self.active_session(chat_id) is not None:
                return None
            row = self.subscriber(chat_id)
            zone = row.zone if row else schedule.resolve(self.default_timezone)
            stamp = iso_stamp(now)
            cursor = self.db.execute(
                "INSERT INTO sessions (chat_id, technique_id, language, local_date, started_at, "
                "state, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    chat_id,
                    technique_id,
                    language,
                    schedule.local_date(now, zone).isoformat(),
                    stamp,
                    SessionState.RUNNING.value,
                    stamp,
                ],
            )
            return self.session(int(cursor.lastrowid or 0))

    def session(self, session_id: int) -> Session | None:
        """One session by its id, or None."""
        rows = list(self.db.query("SELECT * FROM sessions WHERE id = ?", [session_id]))
        return _session(rows[0]) if rows else None

    def active_session(self, chat_id: int) -> Session | None:
        """The chat's running or paused session, or None."""
        rows = list(
            self.db.query(
                "SELECT * FROM sessions WHERE chat_id = ? AND state IN (?, ?)",
                [chat_id, *_ACTIVE],
            )
        )
        return _session(rows[0]) if rows else None

    def active_sessions(self, *, in_chat: bool | None = None) -> list[Session]:
        """Every running or paused session, oldest first (the partial index); only those
        shown by a chat message (``in_chat``), or only those without one (the Mini App's,
        and a chat session whose first message is on its way), when given."""
        which = {None: "", True: " AND message_id IS NOT NULL", False: " AND message_id IS NULL"}
        return [
            _session(row)
            for row in self.db.query(
                f"SELECT * FROM sessions WHERE state IN (?, ?){which[in_chat]} ORDER BY id",
                list(_ACTIVE),
            )
        ]

    def set_session_message(self, session_id: int, message_id: int, now: datetime) -> None:
        """Remember the message the session edits as it goes."""
        self._change(session_id, now, "message_id = ?", [message_id], _ACTIVE)

    def discard_session(self, session_id: int) -> bool:
        """Remove a session whose message could not be sent: nobody saw it, so nothing
        counts or records it (/progress, /report, /export, /mydata, the weekly look back),
        and another can start at once. A session with a message is never removed.

        Returns:
            Whether it was removed.
        """
        with self.db.atomic():
            return bool(
                self.db.execute(
                    "DELETE FROM sessions WHERE id = ? AND message_id IS NULL", [session_id]
                ).rowcount
            )

    def pause_session(self, session_id: int, now: datetime) -> Session | None:
        """Pause a running session at ``now``.

        Returns:
            The paused session, or None if it was not running (a stale button).
        """
        return self._change(
            session_id,
            now,
            "state = ?, paused_at = ?",
            [SessionState.PAUSED.value, iso_stamp(now)],
            (SessionState.RUNNING.value,),
        )

    def resume_session(self, session_id: int, now: datetime) -> Session | None:
        """Go on with a paused session from where it was.

        Returns:
            The running session, or None if it was not paused.
        """
        session = self.session(session_id)
        if session is None or session.state is not SessionState.PAUSED:
            return None
        assert session.paused_at is not None
        paused = max((now - session.paused_at).total_seconds(), 0.0)
        return self._change(
            session_id,
            now,
            "state = ?, paused_at = NULL, paused_seconds = paused_seconds + ?, held = 0",
            [SessionState.RUNNING.value, paused],
            (SessionState.PAUSED.value,),
        )

    def hold_sessions(self, now: datetime) -> int:
        """The bot is stopping: pause every running chat session where it is, marked as
        the bot's pause, so it goes on at the same step when the bot starts again. A Mini
        App session (no chat message) runs on: its clock is on the device, which goes on
        while the bot is away.

        Returns:
            How many were held.
        """
        with self.db.atomic():
            return int(
                self.db.execute(
                    "UPDATE sessions SET state = ?, paused_at = ?, held = 1, updated_at = ? "
                    "WHERE state = ? AND message_id IS NOT NULL",
                    [
                        SessionState.PAUSED.value,
                        iso_stamp(now),
                        iso_stamp(now),
                        SessionState.RUNNING.value,
                    ],
                ).rowcount
            )

    def skip_step(self, session_id: int, timings: Sequence[int], now: datetime) -> Session | None:
        """Skip the rest of the current step of a running session.

        Returns:
            The session, its next step started, or None if it was not running.
        """
        session = self.session(session_id)
        if session is None or session.state is not SessionState.RUNNING:
            return None
        return self._change(
            session_id,
            now,
            "skipped_seconds = ?",
            [skip(timings, session, now)],
            (SessionState.RUNNING.value,),
        )

    def end_session(self, session_id: int, state: SessionState, now: datetime) -> Session | None:
        """End a running or paused session as ``state`` (done, stopped, pain_stop, ended).

        Returns:
            The ended session, or None if it had already ended.
        """
        if state.active:
            raise ValueError(f"{state} does not end a session")
        return self._change(
            session_id,
            now,
            "state = ?, ended_at = ?, paused_at = NULL",
            [state.value, iso_stamp(now)],
            _ACTIVE,
        )

    def pain_stop(self, session_id: int, now: datetime) -> Session | None:
        """ "Stop: pain spreads or numbness": end the session at once, whatever state it was
        in, and hold massage for the rest of the chat's local day (``report_pain_stop``),
        even if the session had ended already.

        Returns:
            The ended session, or None if it had ended already (or does not exist).
        """
        with self.db.atomic():
            session = self.session(session_id)
            if session is None:
                return None
            ended = self.end_session(session_id, SessionState.PAIN_STOP, now)
            self.report_pain_stop(session.chat_id, now)
            return ended

    def set_feeling(self, session_id: int, feeling: Feeling, now: datetime) -> Session | None:
        """Record how a finished session felt (a later answer replaces an earlier one);
        worse holds massage for the rest of the chat's local day (``report_worse``).

        Returns:
            The session, or None if it has not ended (or does not exist).
        """
        ended = tuple(state.value for state in SessionState if not state.active)
        with self.db.atomic():
            felt = self._change(session_id, now, "feeling = ?", [feeling.value], ended)
            if felt is not None and feeling is Feeling.WORSE:
                self.report_worse(felt.chat_id, now)
            return felt

    def sessions(
        self, chat_id: int, first: date = date.min, last: date = date.max
    ) -> list[Session]:
        """A chat's sessions of the local dates ``first`` to ``last`` (every one unless
        given), oldest first."""
        return [
            _session(row)
            for row in self.db.query(
                "SELECT * FROM sessions WHERE chat_id = ? AND local_date >= ? "
                "AND local_date <= ? ORDER BY id",
                [chat_id, first.isoformat(), last.isoformat()],
            )
        ]

    def _change(
        self,
        session_id: int,
        now: datetime,
        assignments: str,
        values: list[Any],
        only_from: Sequence[str],
    ) -> Session | None:
        """Apply ``assignments`` (written in this module, never from users) to a session
        at one of the states ``only_from``; return it changed, or None if it was not."""
        marks = ", ".join("?" * len(only_from))
        with self.db.atomic():
            changed = self.db.execute(
                f"UPDATE sessions SET {assignments}, updated_at = ? "
                f"WHERE id = ? AND state IN ({marks})",
                [*values, iso_stamp(now), session_id, *only_from],
            ).rowcount
        return self.session(session_id) if changed else None


def _session(row: dict[str, Any]) -> Session:
    def instant(value: str | None) -> datetime | None:
        return datetime.fromisoformat(value) if value else None

    started = instant(row["started_at"])
    assert started is not None
    return Session(
        id=row["id"],
        chat_id=row["chat_id"],
        technique_id=row["technique_id"],
        local_date=date.fromisoformat(row["local_date"]),
        started_at=started,
        state=SessionState(row["state"]),
        paused_at=instant(row["paused_at"]),
        paused_seconds=float(row["paused_seconds"]),
        skipped_seconds=float(row["skipped_seconds"]),
        held=bool(row["held"]),
        language=row["language"],
        message_id=row["message_id"],
        feeling=Feeling(row["feeling"]) if row["feeling"] else None,
        ended_at=instant(row["ended_at"]),
    )
