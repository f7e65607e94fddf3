"""The SQLite store, one section of what was test_store.py: Migrations: a new file, an old one,
and every step between."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlite_utils import Database

from storage import Store
from storage.migrations import migrations
from storage.rules.schedule import EVERY_DAY
from tests.conftest import FakeClock
from tests.storage.store_common import (
    CHAT,
    OLD_STAMP,
    old_file,
)

# Migrations ------------------------------------------------------------------------------------


def test_migrate_new_file_applies_every_migration(tmp_path: Path) -> None:
    fresh = Store(tmp_path / "fresh.db")
    try:
        assert fresh.migrate() == [
            "m001_initial",
            "m002_blocked",
            "m003_pause_days_claims",
            "m004_caution",
            "m005_checkins",
            "m006_tip_kinds_holds_prompts",
            "m007_languages_program_media",
            "m008_feedback_broadcasts",
            "m009_massage_tips",
            "m010_quarantine",
            "m011_private_chats_only",
            "m012_summaries",
            "m013_sessions",
            "m014_flare_day",
            "m015_red_flags",
            "m016_later",
            "m017_weekly",
            "m018_safety_state",
            "m019_weekly_subscribed",
            "m020_stats_counts",
            "m021_tip_library",
        ]
    finally:
        fresh.close()


#: Every migration's name, in order (all of them are pending on an empty database).
MIGRATIONS = [migration.name for migration in migrations.pending(Database(memory=True))]


#: Every migration after the first, as (name, id): an older file stops before one of them.
LATER = [pytest.param(name, id=f"before-{name.partition('_')[0]}") for name in MIGRATIONS[1:]]


@pytest.mark.parametrize("stop_before", LATER)
def test_migrate_a_file_from_an_older_version_applies_the_rest(
    tmp_path: Path, stop_before: str
) -> None:
    old_file(tmp_path / "old.db", stop_before)
    upgraded = Store(tmp_path / "old.db")
    try:
        assert upgraded.migrate() == MIGRATIONS[MIGRATIONS.index(stop_before) :]
    finally:
        upgraded.close()


@pytest.mark.parametrize("stop_before", LATER)
def test_migrate_a_file_from_an_older_version_keeps_and_defaults_settings(
    tmp_path: Path, stop_before: str
) -> None:
    old_file(tmp_path / "old.db", stop_before)
    upgraded = Store(tmp_path / "old.db")
    try:
        upgraded.migrate()
        subscriber = upgraded.subscriber(CHAT)
    finally:
        upgraded.close()
    assert subscriber is not None
    assert (
        subscriber.subscribed,
        subscriber.blocked,
        subscriber.tip_cursor,
        subscriber.days,
        subscriber.resume_on,
        subscriber.caution,
        subscriber.hold_techniques,
        subscriber.checkin_prompt,
        subscriber.subscribed_at,
        subscriber.language,
        subscriber.program_done,
    ) == (True, False, 3, EVERY_DAY, None, None, False, False, OLD_STAMP, None, False)


def test_migrate_existing_file_applies_nothing(tmp_path: Path, store: Store) -> None:
    again = Store(tmp_path / "test.db")
    try:
        assert again.migrate() == []
    finally:
        again.close()


def test_migrate_existing_file_keeps_rows(tmp_path: Path, store: Store, clock: FakeClock) -> None:
    store.subscribe(CHAT, clock())
    again = Store(tmp_path / "test.db")
    try:
        again.migrate()
        kept = again.subscriber(CHAT)
    finally:
        again.close()
    assert kept == store.subscriber(CHAT)
