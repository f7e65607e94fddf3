"""Operators' commands: `backcare-bot stats`, `tips list|export` and `db backup|check`."""

from __future__ import annotations

import argparse
import csv
import json
import os
import sqlite3
import sys
from collections.abc import Sequence
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from sqlite_utils import Database
from tqdm import tqdm  # type: ignore[import-untyped]

from bot.config import Settings
from content import load, load_all
from content.markup import plain
from storage import FLAG_MIN_ANSWERS, FLAG_MIN_SHARE, MONTH_DAYS, RECENT_DAYS, Stats, Store, files
from storage.migrations import migrations, unknown_applied

#: Pages copied per backup step: about 4 MB with SQLite's default page size.
BACKUP_PAGES = 1024
#: Exit codes: all is well, the database has a problem, the command cannot run as asked.
#: A dated copy in a backup folder: backcare-20261130-031500.db.
BACKUP_PREFIX, BACKUP_SUFFIX = "backcare-", ".db"
OK, PROBLEM, USAGE = 0, 1, 2
#: How many broken references or set-aside rows `db check` lists one by one.
LISTED = 20


def main(
    args: argparse.Namespace, settings: Settings, out: TextIO, *, now: datetime | None = None
) -> int:
    """Run the operators' command in ``args`` and return the exit code.

    Args:
        args: the parsed command line (``command`` and its sub-command's arguments).
        settings: the bot's settings; only ``db_path`` is used.
        out: where the command's output goes; errors and the progress bar go to stderr.
        now: the instant ``stats`` counts at (default: the current time).
    """
    try:
        return _run(args, settings, out, now)
    except BrokenPipeError:
        # The reader stopped early (`... | head`): no traceback, and no second error when
        # Python flushes standard output on exit.
        if out is sys.stdout:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return PROBLEM


def _run(args: argparse.Namespace, settings: Settings, out: TextIO, now: datetime | None) -> int:
    """Dispatch on the command; a database that is not there is never created."""
    if args.command == "tips":
        if args.tips_command == "list":
            return list_tips(args.lang, out)
        return export_tips(args.format, out)
    path = settings.db_path
    if not path.is_file():
        return _error(f"no database at {path} (set BACKCARE_DB to the bot's database file)")
    try:
        if args.command == "stats":
            return print_stats(path, out, now or datetime.now(UTC), days=args.days)
        if args.db_command == "backup":
            return backup(path, args.path, out, keep=args.keep, now=now)
        return check(path, out)
    except sqlite3.DatabaseError as error:
        return _error(f"{path}: {error}", PROBLEM)


def _error(message: str, code: int = USAGE) -> int:
    print(f"backcare-bot: {message}", file=sys.stderr)
    return code


# stats -----------------------------------------------------------------------------------


def print_stats(path: Path, out: TextIO, now: datetime, *, days: int = 30) -> int:
    """Print the figures of the database at ``path`` as plain-text tables, with ``days``
    days of deliveries and check-ins."""
    store = Store(path)
    try:
        pending = migrations.pending(store.db)
        if pending:
            return _error(
                f"{path} is {len(pending)} migration(s) behind this version; the bot applies "
                "them when it starts (see `backcare-bot db check`)"
            )
        stats = store.stats(now, days)
    finally:
        store.close()
    out.write(render_stats(stats))
    return OK


def render_stats(stats: Stats) -> str:
    """The figures as aligned plain-text tables, one section per subject."""
    people = stats.subscribers
    today = stats.deliveries_today
    lines = [f"backcare-bot stats at {stats.now.astimezone(UTC):%Y-%m-%d %H:%M} UTC", ""]
    lines += ["Subscribers"]
    lines += _table(
        ["", "chats"],
        [
            ["active", people.active],
            ["paused", people.paused],
            ["blocked", people.blocked],
            ["unsubscribed", people.unsubscribed],
            ["total", people.total],
        ],
        "lr",
    )
    lines += ["", f"Deliveries today ({stats.today}, the subscribers' local date)"]
    lines += _table(
        ["", "tips"],
        [
            ["sent", today.sent],
            ["failed", today.failed],
            ["blocked", today.blocked],
            ["skipped", today.skipped],
            ["uncertain", today.uncertain],
            ["in flight", today.in_flight],
        ],
        "lr",
    )
    lines += ["", f"Last {len(stats.days)} days"]
    lines += _table(
        ["date", "sent", "failed", "blocked", "check-ins"],
        [
            [day.day.isoformat(), day.sent, day.failed, day.blocked, day.checkins]
            for day in stats.days
        ],
        "lrrrr",
    )
    lines += [
        "",
        "Feedback per tip, most disliked first (! flagged: at least "
        f'{FLAG_MIN_ANSWERS} answers, {FLAG_MIN_SHARE:.0%} or more "not for me")',
    ]
    if stats.feedback:
        lines += _table(
            ["", "tip", "helpful", "not for me", "share"],
            [
                [
                    "!" if tip.flagged else "",
                    tip.tip_id,
                    tip.helpful,
                    tip.not_helpful,
                    f"{tip.not_helpful_share:.0%}",
                ]
                for tip in stats.feedback
            ],
            "llrrr",
        )
    else:
        lines += ["  no answers yet"]
    checkins = stats.checkins
    lines += ["", "Check-ins"]
    lines += _table(
        ["", "chats"],
        [
            [f"chats with a check-in, last {RECENT_DAYS} days", checkins.chats_recent],
            [f"chats with a check-in, last {MONTH_DAYS} days", checkins.chats_month],
            [
                f"active subscribers, last {RECENT_DAYS} days",
                f"{checkins.active_recent:,} ({checkins.active_share:.1%})",
            ],
        ],
        "lr",
    )
    return "\n".join(lines) + "\n"


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]], align: str) -> list[str]:
    """Rows as indented lines, each column aligned as ``align`` says: "l" left, "r" right."""
    cells = [list(headers)] + [[_cell(value) for value in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    return [
        "  "
        + "  ".join(
            cell.ljust(width) if side == "l" else cell.rjust(width)
            for cell, width, side in zip(row, widths, align, strict=True)
        ).rstrip()
        for row in cells
    ]


def _cell(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


# tips --------------------------------------------------------------------------------------


def list_tips(language: str, out: TextIO) -> int:
    """Print one line per tip of ``language``: position, program day, technique ("massage" for
    one that suggests massage in general), id, title."""
    content = load(language)
    rows = []
    for tip in content.tips:
        day = tip.program_day
        title = plain(tip.text.split("\n", 1)[0]).strip()
        kind = tip.technique or ("massage" if tip.massage else "-")
        rows.append([tip.position, "-" if day is None else day, kind, tip.id, title])
    out.write("\n".join(_table(["#", "day", "technique", "id", "title"], rows, "rrlll")) + "\n")
    return OK


#: The columns of `tips export`, in order.
EXPORT_FIELDS = ("id", "position", "program_day", "technique", "massage", "language", "text")


def export_tips(form: str, out: TextIO) -> int:
    """Write every tip of every language to ``out`` as CSV or JSON (``form``)."""
    records = [
        {
            "id": tip.id,
            "position": tip.position,
            "program_day": tip.program_day,
            "technique": tip.technique,
            "massage": tip.massage,
            "language": language,
            "text": tip.text,
        }
        for language, content in load_all().items()
        for tip in content.tips
    ]
    if form == "json":
        json.dump(records, out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS)
        writer.writeheader()
        writer.writerows(records)
    return OK


# db ----------------------------------------------------------------------------------------


def _connect(path: Path) -> sqlite3.Connection:
    """A connection to an existing database file; mode=rw never creates one."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=5)


def backup(
    source: Path,
    target: Path,
    out: TextIO,
    *,
    keep: int | None = None,
    now: datetime | None = None,
) -> int:
    """Copy the live database to ``target`` with SQLite's online backup, then check the copy.

    Args:
        target: the copy to write, or a folder: then a dated file in it
            (``backcare-YYYYMMDD-HHMMSS.db``, UTC).
        keep: with a folder, keep the newest ``keep`` dated copies there and remove the rest.
        now: the instant the dated name is made from (default: the current time).
    """
    folder = target if target.is_dir() else None
    if folder is not None:
        stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
        target = folder / f"{BACKUP_PREFIX}{stamp}{BACKUP_SUFFIX}"
    elif keep is not None:
        return _error(f"--keep needs a folder to keep copies in; {target} is not one")
    if target.is_symlink():
        return _error(f"{target} is a symbolic link; not writing through it")
    if target.exists() or Path(f"{target}-wal").exists():
        return _error(f"{target} (or its -wal file) already exists; not overwriting it")
    if not target.parent.is_dir():
        return _error(f"no folder {target.parent} to write {target.name} in")
    with closing(_connect(source)) as live:
        live.isolation_level = None
        # Hold one read transaction over every step: the copy is a single snapshot, and in
        # WAL mode the bot's writes go on meanwhile. Without it, each write by the bot would
        # restart the backup, which might then never finish during a fan-out.
        live.execute("BEGIN")
        live.execute("SELECT count(*) FROM sqlite_schema").fetchone()
        files.create_private(target)  # 0600 before a single page of health records is in it
        try:
            with (
                closing(sqlite3.connect(target)) as copy,
                tqdm(
                    desc="backup", unit="page", unit_scale=True, disable=None, file=sys.stderr
                ) as bar,
            ):

                def progress(status: int, remaining: int, total: int) -> None:
                    bar.total = total
                    bar.update(total - remaining - bar.n)

                live.backup(copy, pages=BACKUP_PAGES, progress=progress, sleep=0)
                result = _integrity(copy)
        except BaseException:
            # No half-written copy left behind to be mistaken for a backup.
            target.unlink(missing_ok=True)
            raise
        finally:
            live.execute("ROLLBACK")
    ok = result == ["ok"]
    print(f"backup: {target} ({_size(target.stat().st_size)})", file=out)
    print(f"integrity check of the copy: {'; '.join(result)}", file=out)
    if ok and folder is not None and keep is not None:
        for old in _dated_copies(folder)[:-keep]:
            old.unlink()
            print(f"removed the older copy {old.name} (keeping {keep})", file=out)
    return OK if ok else PROBLEM


def _dated_copies(folder: Path) -> list[Path]:
    """The dated copies ``backup`` wrote in ``folder``, oldest first (names sort by time)."""
    return sorted(
        path
        for path in folder.glob(f"{BACKUP_PREFIX}*{BACKUP_SUFFIX}")
        if path.is_file() and not path.is_symlink()
    )


def check(path: Path, out: TextIO) -> int:
    """Print the integrity check, the foreign key check and which migrations are applied."""
    with closing(_connect(path)) as connection:
        try:
            integrity = _integrity(connection)
        except sqlite3.DatabaseError as error:
            integrity = [str(error)]
        if integrity != ["ok"]:
            # A damaged file may fail the other checks with errors of their own.
            print(f"integrity: {'; '.join(integrity)}", file=out)
            print("db check: PROBLEM", file=out)
            return PROBLEM
        foreign = connection.execute("PRAGMA foreign_key_check").fetchall()
        db = Database(connection)
        applied = [migration.name for migration in migrations.applied(db)]
        pending = [migration.name for migration in migrations.pending(db)]
        unknown = unknown_applied(db)
        set_aside = (
            connection.execute(
                "SELECT chat_id, quarantine, timezone, tip_time FROM subscribers "
                "WHERE quarantine IS NOT NULL ORDER BY chat_id"
            ).fetchall()
            if "quarantine" in db.table("subscribers").columns_dict
            else []
        )
    print("integrity: ok", file=out)
    print(
        f"foreign keys: {'ok' if not foreign else f'{len(foreign)} broken reference(s)'}", file=out
    )
    for table, rowid, parent, _ in foreign[:LISTED]:
        print(f"  {table} row {rowid} -> missing {parent}", file=out)
    print(f"migrations applied ({len(applied)}): {', '.join(applied) or 'none'}", file=out)
    if pending:
        print(
            f"migrations pending ({len(pending)}): {', '.join(pending)} "
            "(the bot applies them when it starts)",
            file=out,
        )
    else:
        print("migrations pending: none", file=out)
    if unknown:
        print(f"applied but unknown to this version: {', '.join(unknown)}", file=out)
    # Rows the bot set aside hold up no one; they are listed for the operator to look at.
    print(f"rows set aside: {len(set_aside) or 'none'}", file=out)
    for chat_id, reason, zone, at in set_aside[:LISTED]:
        print(f"  chat {chat_id}: {reason} (timezone {zone!r}, time {at!r})", file=out)
    if len(set_aside) > LISTED:
        print(f"  … and {len(set_aside) - LISTED:,} more", file=out)
    ok = not foreign and not unknown
    print(f"db check: {'ok' if ok else 'PROBLEM'}", file=out)
    return OK if ok else PROBLEM


def _integrity(connection: sqlite3.Connection) -> list[str]:
    return [str(row[0]) for row in connection.execute("PRAGMA integrity_check").fetchall()]


def _size(size: int) -> str:
    if size < 1024:
        return f"{size:,} bytes"
    value, unit = size / 1024, "KB"
    for bigger in ("MB", "GB"):
        if value < 1024:
            break
        value, unit = value / 1024, bigger
    return f"{value:.1f} {unit}"
