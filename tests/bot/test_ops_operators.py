"""Operators' commands: stats, tips list and export, db backup and check."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import stat
import subprocess
from argparse import Namespace
from pathlib import Path

import pytest
from sqlite_utils import Database

from bot.config import Settings
from bot.ops import operators as opscli
from content import LANGUAGES, Content, load
from content.markup import plain
from storage import Store
from storage.migrations import migrations
from tests.conftest import START
from tests.helpers import clean_env, command

STATS = Namespace(command="stats", days=30)
CHECK = Namespace(command="db", db_command="check")
SUBSCRIBERS = 300


def settings(db: Path) -> Settings:
    return Settings(token="", db_path=db, default_timezone="UTC", api_base_url="")


def run(args: Namespace, db: Path) -> tuple[int, str]:
    out = io.StringIO()
    code = opscli.main(args, settings(db), out, now=START)
    return code, out.getvalue()


def backup_to(path: Path, keep: int | None = None) -> Namespace:
    return Namespace(command="db", db_command="backup", path=path, keep=keep)


@pytest.fixture
def db(store: Store) -> Path:
    """A closed database of SUBSCRIBERS subscribed chats; chat 2 is blocked."""
    for chat_id in range(1, SUBSCRIBERS + 1):
        store.subscribe(chat_id, START)
    store.set_blocked(2, True, START)
    store.close()
    return store.path


def subscribers_in(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        return int(connection.execute("SELECT count(*) FROM subscribers").fetchone()[0])


def corrupt(source: Path, target: Path) -> None:
    """A copy of ``source`` with a page's worth of garbage in the middle."""
    data = bytearray(source.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 4096] = b"\xa5" * 4096
    target.write_bytes(bytes(data))


# stats -------------------------------------------------------------------------------------


def test_stats_prints_the_counts(db: Path) -> None:
    code, out = run(STATS, db)

    assert code == 0
    lines = out.splitlines()
    assert f"active {SUBSCRIBERS - 1:,}".split() == next(
        line.split() for line in lines if line.strip().startswith("active ")
    )
    assert ["blocked", "1"] in [line.split() for line in lines]
    assert "Last 30 days" in out and START.date().isoformat() in out


def test_stats_of_a_missing_file_is_exit_2_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.db"

    code, out = run(STATS, missing)

    assert code == 2 and out == ""
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and str(missing) in error[0]
    assert not missing.exists()


def test_stats_of_an_unmigrated_file_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = tmp_path / "old.db"
    sqlite3.connect(old).close()
    old.touch()

    assert run(STATS, old)[0] == 2
    assert "migration" in capsys.readouterr().err


# tips --------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_tips_list_has_a_line_per_tip(language: str) -> None:
    content = load(language)

    code, out = run(Namespace(command="tips", tips_command="list", lang=language), Path("-"))

    assert code == 0
    lines = out.splitlines()[1:]
    assert len(lines) == len(content.tips)
    for line, tip in zip(lines, content.tips, strict=True):
        fields = line.split()
        assert fields[0] == str(tip.position)
        assert fields[1] == str(tip.program_day or "-")
        kind = tip.technique or ("massage" if tip.massage else "-")
        assert fields[2:4] == [kind, tip.id]
        assert line.endswith(plain(tip.text.splitlines()[0]))
        assert "<" not in line


def exported(form: str) -> list[dict[str, str]]:
    code, out = run(Namespace(command="tips", tips_command="export", format=form), Path("-"))
    assert code == 0
    if form == "json":
        return [{k: "" if v is None else str(v) for k, v in row.items()} for row in json.loads(out)]
    return list(csv.DictReader(io.StringIO(out)))


@pytest.mark.parametrize("form", ["csv", "json"])
def test_tips_export_holds_every_tip_of_every_language(form: str) -> None:
    rows = exported(form)

    expected = [
        {
            "id": tip.id,
            "position": str(tip.position),
            "program_day": str(tip.program_day or ""),
            "technique": tip.technique or "",
            "massage": str(tip.massage),
            "language": language,
            "text": tip.text,
        }
        for language in LANGUAGES
        for content in [load(language)]
        for tip in content.tips
    ]
    assert rows == expected


# db check ----------------------------------------------------------------------------------


def test_check_of_a_good_file_is_ok(db: Path) -> None:
    code, out = run(CHECK, db)

    assert code == 0
    assert "integrity: ok" in out and "foreign keys: ok" in out
    assert "migrations pending: none" in out
    assert all(m.name in out for m in migrations.pending(Database(memory=True)))
    assert out.splitlines()[-1] == "db check: ok"


def test_check_lists_the_rows_set_aside(store: Store) -> None:
    for chat_id in (1, 2, 3):
        store.subscribe(chat_id, START)
    store.db.execute("UPDATE subscribers SET timezone = 'Mars/Olympus_Mons' WHERE chat_id = 2")
    store.claim_due(START.replace(hour=9), 10)
    store.close()

    code, out = run(CHECK, store.path)

    assert code == 0  # the rows hold up no one: listed, not a problem of the file
    assert "rows set aside: 1" in out
    assert "chat 2: timezone does not load (timezone 'Mars/Olympus_Mons', time '09:00')" in out
    assert "chat 1" not in out and "chat 3" not in out


def test_check_of_a_file_with_nothing_set_aside_says_so(db: Path) -> None:
    assert "rows set aside: none" in run(CHECK, db)[1]


def test_check_lists_pending_migrations(tmp_path: Path) -> None:
    path = tmp_path / "behind.db"
    database = Database(path)
    migrations.apply(database, stop_before="m005_checkins")
    database.close()

    code, out = run(CHECK, path)

    assert code == 0
    assert "m004_caution" in out.split("pending")[0]
    assert "m005_checkins" in out.split("pending")[1]


def test_check_of_a_corrupted_copy_is_exit_1(db: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.db"
    corrupt(db, broken)

    code, out = run(CHECK, broken)

    assert code == 1
    assert "ok" not in out.splitlines()[0]
    assert out.splitlines()[-1] == "db check: PROBLEM"


def test_check_of_a_file_that_is_no_database_is_exit_1(tmp_path: Path) -> None:
    text = tmp_path / "notes.db"
    text.write_text("not a database\n" * 100)

    assert run(CHECK, text)[0] == 1


# db backup ---------------------------------------------------------------------------------


def test_backup_copies_and_checks_the_copy(db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"

    code, out = run(backup_to(copy), db)

    assert code == 0
    assert "integrity check of the copy: ok" in out
    assert subscribers_in(copy) == SUBSCRIBERS
    assert run(CHECK, copy)[0] == 0


def test_backup_never_overwrites(db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    copy.write_bytes(b"keep me")

    assert run(backup_to(copy), db)[0] == 2
    assert copy.read_bytes() == b"keep me"


def test_a_backup_is_private_whatever_the_umask(db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    previous = os.umask(0o022)
    try:
        assert run(backup_to(copy), db)[0] == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600


@pytest.mark.parametrize("dangling", [True, False], ids=["dangling-link", "link-to-a-file"])
def test_backup_refuses_a_symbolic_link(db: Path, tmp_path: Path, dangling: bool) -> None:
    """A link at the target would write the health records wherever it points."""
    elsewhere = tmp_path / "elsewhere.db"
    if not dangling:
        elsewhere.write_bytes(b"")
    link = tmp_path / "copy.db"
    link.symlink_to(elsewhere)

    assert run(backup_to(link), db)[0] == 2
    if dangling:
        assert not elsewhere.exists()
    else:
        assert elsewhere.read_bytes() == b""


def test_backup_into_a_folder_keeps_the_newest_n(db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    unrelated = folder / "notes.txt"
    unrelated.write_text("mine")
    written = []
    for minute in range(5):
        out = io.StringIO()
        at = START.replace(minute=minute)
        code = opscli.main(backup_to(folder, keep=3), settings(db), out, now=at)
        assert code == 0
        written.append(folder / f"backcare-{at:%Y%m%d-%H%M%S}.db")
    left = sorted(path.name for path in folder.iterdir())
    assert left == sorted([*(p.name for p in written[-3:]), "notes.txt"])
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in written[-3:])
    assert subscribers_in(written[-1]) == SUBSCRIBERS


def test_keep_needs_a_folder(db: Path, tmp_path: Path) -> None:
    assert run(backup_to(tmp_path / "copy.db", keep=2), db)[0] == 2
    assert not (tmp_path / "copy.db").exists()


def test_backup_of_a_missing_file_is_exit_2(tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"

    assert run(backup_to(copy), tmp_path / "missing.db")[0] == 2
    assert not copy.exists() and not (tmp_path / "missing.db").exists()


# The real command --------------------------------------------------------------------------


def cli(tmp_path: Path, db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command(*args),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean_env(tmp_path, BACKCARE_DB=str(db)),
        timeout=60,
    )


@pytest.mark.slow
def test_cli_stats(db: Path, tmp_path: Path) -> None:
    result = cli(tmp_path, db, "stats")

    assert result.returncode == 0, result.stderr
    assert "Subscribers" in result.stdout and "Check-ins" in result.stdout
    assert result.stderr == ""


@pytest.mark.slow
def test_cli_stats_without_a_database(tmp_path: Path) -> None:
    result = cli(tmp_path, tmp_path / "none.db", "stats")

    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "none.db").exists()


@pytest.mark.slow
def test_cli_tips_list_and_export(tmp_path: Path, content: Content) -> None:
    listed = cli(tmp_path, tmp_path / "none.db", "tips", "list", "--lang", "zh")
    export = cli(tmp_path, tmp_path / "none.db", "tips", "export", "--format", "json")

    assert listed.returncode == 0 and export.returncode == 0, listed.stderr + export.stderr
    assert len(listed.stdout.splitlines()) == len(content.tips) + 1
    assert len(json.loads(export.stdout)) == len(content.tips) * len(LANGUAGES)


@pytest.mark.slow
def test_cli_db_backup_and_check(db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"

    backup = cli(tmp_path, db, "db", "backup", str(copy))
    check = cli(tmp_path, copy, "db", "check")
    again = cli(tmp_path, db, "db", "backup", str(copy))

    assert backup.returncode == 0, backup.stderr
    # Standard error is no terminal here: no progress bar.
    assert "integrity check of the copy: ok" in backup.stdout and backup.stderr == ""
    assert check.returncode == 0 and check.stdout.endswith("db check: ok\n")
    assert again.returncode == 2 and "not overwriting" in again.stderr
    assert subscribers_in(copy) == SUBSCRIBERS


@pytest.mark.slow
def test_cli_db_backup_into_a_folder_with_keep(db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()

    done = cli(tmp_path, db, "db", "backup", str(folder), "--keep", "2")
    refused = cli(tmp_path, db, "db", "backup", str(folder), "--keep", "0")

    assert done.returncode == 0, done.stderr
    (copy,) = folder.iterdir()
    assert copy.name.startswith("backcare-") and subscribers_in(copy) == SUBSCRIBERS
    assert refused.returncode == 2 and "less than 1" in refused.stderr


@pytest.mark.slow
def test_cli_db_check_of_a_corrupted_copy(db: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.db"
    corrupt(db, broken)

    result = cli(tmp_path, broken, "db", "check")

    assert result.returncode == 1
    assert "Traceback" not in result.stderr


def test_backup_of_a_file_that_is_no_database_leaves_no_copy(tmp_path: Path) -> None:
    text = tmp_path / "notes.db"
    text.write_text("not a database\n" * 100)
    copy = tmp_path / "copy.db"

    assert run(backup_to(copy), text)[0] == 1
    assert not copy.exists()
