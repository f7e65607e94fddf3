"""The bot's SQLite file: ``Store`` composes one part per concern over one connection
(subscribers.py, tips.py, deliveries.py, record.py, checkins.py, sessions.py, safety.py,
media.py, feedback.py, broadcasts.py, retention.py, stats.py; base.py what they share);
models.py holds what they return, and storage/rules/ the pure rules they apply."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import time
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from storage import files
from storage.broadcasts import Broadcasts
from storage.checkins import CheckIns
from storage.deliveries import Deliveries
from storage.feedback import Feedback
from storage.media import Media
from storage.migrations import migrations, unknown_applied
from storage.models import BroadcastStatus
from storage.record import Records
from storage.retention import Retention
from storage.rules import choosing, schedule
from storage.safety import SafetyState
from storage.sessions import Sessions
from storage.stats import Figures
from storage.subscribers import Subscribers


# Feedback reads Deliveries (and Records reads CheckIns, Sessions and SafetyState), so each
# comes before what it reads.
class Store(
    Subscribers,
    Feedback,
    Deliveries,
    Records,
    CheckIns,
    Sessions,
    SafetyState,
    Media,
    Broadcasts,
    Retention,
    Figures,
):
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

        Raises:
            NewerDatabase: a newer version of the bot migrated the file.
            sqlite3.DatabaseError: the file is not a database (see ``is_damaged``).
        """
        schedule.resolve(default_timezone)
        self.path = Path(path)
        if not self.path.exists() and not self.path.is_symlink():
            files.create_private(self.path)  # SQLite gives -wal and -shm the same mode
        self.db = Database(path)
        self.db.execute("PRAGMA journal_mode=WAL")
        files.make_private(self.path)
        if unknown := unknown_applied(self.db):
            # A schema this version does not know: running on it could damage the records.
            self.db.close()
            raise NewerDatabase(self.path, unknown)
        # In WAL mode NORMAL survives a crash of the process (SIGKILL included) without
        # corruption or loss; only a power cut can drop the last commits. It saves an fsync
        # per commit, and the sender commits twice per message.
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA busy_timeout=5000")
        if not autocheckpoint:
            self.db.execute("PRAGMA wal_autocheckpoint=0")
        self.default_timezone = default_timezone
        self.default_time = default_time

    def wait_for_locks(self, seconds: float) -> None:
        """Wait at most ``seconds`` for another connection's lock before a statement fails
        with "database is locked" (see ``is_busy``). Five seconds when opened; the bot
        lowers it once started, so no statement on its event loop stalls for long."""
        self.db.execute(f"PRAGMA busy_timeout={int(seconds * 1000)}")

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

    def chat_record(self, chat_id: int) -> dict[str, list[dict[str, Any]]]:
        """Everything stored about a chat, as /mydata gives it: the rows of every table with
        a ``chat_id`` column (read from the schema, as ``delete_chat`` does, so a table
        added later is covered too) and the broadcasts it sent as an operator, one read
        transaction so the tables agree. Tables without a row are left out."""
        record: dict[str, list[dict[str, Any]]] = {}
        with self.db.atomic():
            for table in chat_tables(self.db):
                rows = list(
                    self.db.query(
                        f"SELECT * FROM {_quoted(table)} WHERE chat_id = ?",
                        [chat_id],
                    )
                )
                if rows:
                    record[table] = [self._readable(row) for row in rows]
            if "broadcasts" in self.db.table_names():
                sent = list(
                    self.db.query(
                        "SELECT * FROM broadcasts WHERE created_by = ? OR from_chat_id = ? "
                        "ORDER BY id",
                        [chat_id, chat_id],
                    )
                )
                if sent:
                    record["broadcasts"] = sent
        return record

    def _readable(self, row: dict[str, Any]) -> dict[str, Any]:
        """A row as /mydata gives it: the history of tips (a blob, ``choosing.Seen``) as
        the tips it holds, each with the day it was last sent."""
        blob = row.get("tips_seen")
        if not isinstance(blob, bytes):
            return row
        seen = choosing.Seen(blob)
        ids = dict(self.db.execute("SELECT slot, id FROM tips WHERE slot IS NOT NULL").fetchall())
        had = [
            {"tip": ids.get(slot, f"slot {slot}"), "last_sent": choosing.day_of(day).isoformat()}
            for slot, day in enumerate(seen.days)
            if day
        ]
        return {**row, "tips_seen": sorted(had, key=lambda item: item["last_sent"])}

    def delete_chat(self, chat_id: int) -> int:
        """Delete every row about a chat, in every table with a ``chat_id`` column, at once,
        and the chat's name on the broadcasts it sent as an operator.

        The tables are read from the schema, so a table added later is covered too. A
        broadcast keeps its counts but no longer names who sent it or the message it
        copied (both were this chat's); what it had not sent yet is cancelled, since the
        message can no longer be copied.

        Returns:
            How many rows were deleted or cleared (0 if the bot knew nothing about the chat).
        """
        deleted = 0
        with self.db.atomic():
            for table in chat_tables(self.db):
                deleted += self.db.execute(
                    f"DELETE FROM {_quoted(table)} WHERE chat_id = ?", [chat_id]
                ).rowcount
            if "broadcasts" in self.db.table_names():
                sent_by = "SELECT id FROM broadcasts WHERE created_by = ? OR from_chat_id = ?"
                self.db.execute(
                    "UPDATE broadcast_deliveries SET status = ? "
                    f"WHERE status = ? AND broadcast_id IN ({sent_by})",
                    [
                        BroadcastStatus.CANCELLED.value,
                        BroadcastStatus.PENDING.value,
                        *[chat_id] * 2,
                    ],
                )
                # 0 names nobody: Telegram chat ids are never 0.
                deleted += self.db.execute(
                    "UPDATE broadcasts SET created_by = 0, from_chat_id = 0, message_id = 0 "
                    "WHERE created_by = ? OR from_chat_id = ?",
                    [chat_id, chat_id],
                ).rowcount
        return deleted


class NewerDatabase(Exception):
    """The database was migrated by a newer version of the bot."""

    def __init__(self, path: Path, unknown: list[str]) -> None:
        super().__init__(
            f"{path} was migrated by a newer version of backcare-bot "
            f"({', '.join(unknown)}): upgrade this one, or restore a backup made before"
        )
        self.path = path
        self.unknown = unknown


def is_damaged(error: BaseException) -> bool:
    """Whether ``error`` says the file is not a database, or a damaged one."""
    return isinstance(error, sqlite3.DatabaseError) and (
        error.sqlite_errorcode & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
    )


def is_busy(error: BaseException) -> bool:
    """Whether ``error`` is another connection holding a lock (try again later), not a
    fault of the database or of the statement."""
    return isinstance(error, sqlite3.OperationalError) and (
        error.sqlite_errorcode & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    )


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
