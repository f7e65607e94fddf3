"""A row that cannot be scheduled or claimed is set aside; every other row goes on."""

from __future__ import annotations

import logging
from datetime import time, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from storage import Store, schedule
from storage.migrations import migrations
from tests.conftest import START, FakeClock

NINE = START.replace(hour=9)


def subscribe_many(store: Store, chats: range) -> None:
    for chat in chats:
        store.subscribe(chat, START)


def break_row(store: Store, chat: int, **values: object) -> None:
    """What a tzdata update (or a hand edit) can leave behind: written past every check."""
    assignments = ", ".join(f"{name} = ?" for name in values)
    store.db.execute(
        f"UPDATE subscribers SET {assignments} WHERE chat_id = ?", [*values.values(), chat]
    )


@pytest.mark.parametrize(
    "values",
    [
        {"timezone": "Mars/Olympus_Mons"},  # a zone a later tzdata no longer has
        {"timezone": "Factory"},
        {"timezone": "localtime"},
        {"tip_time": "25:99"},
        {"caution": "perhaps"},
    ],
    ids=["vanished-zone", "factory", "localtime", "bad-time", "bad-caution"],
)
def test_a_bad_row_is_set_aside_and_every_other_row_is_claimed(
    store: Store, values: dict[str, object], caplog: pytest.LogCaptureFixture
) -> None:
    subscribe_many(store, range(1, 6))
    break_row(store, 3, **values)
    caplog.set_level(logging.WARNING, logger="storage")

    claims = store.claim_due(NINE, 10)

    assert sorted(claim.chat_id for claim in claims) == [1, 2, 4, 5]
    ((chat, reason),) = store.quarantined()
    assert chat == 3 and reason
    assert store.quarantined_count() == 1
    # Logged once, with the chat id and the reason but none of the row's values.
    (record,) = [r for r in caplog.records if "set aside" in r.getMessage()]
    assert "3" in record.getMessage() and reason in record.getMessage()
    for value in values.values():
        assert str(value) not in record.getMessage()
    # Never due again until fixed: the next claims do not meet it (and log nothing more).
    caplog.clear()
    assert store.claim_due(NINE + timedelta(days=1), 10) != []
    assert not [r for r in caplog.records if "set aside" in r.getMessage()]
    assert store.db.execute("SELECT count(*) FROM subscribers WHERE chat_id = 3").fetchone() == (
        1,
    )  # set aside, not deleted


def test_setting_the_zone_again_lifts_the_quarantine(store: Store) -> None:
    subscribe_many(store, range(1, 3))
    break_row(store, 2, timezone="Factory")
    assert [claim.chat_id for claim in store.claim_due(NINE, 10)] == [1]
    assert store.quarantined() == [(2, "timezone is not a place")]

    store.set_timezone(2, "Europe/Berlin", NINE)

    assert store.quarantined() == []
    subscriber = store.subscriber(2)
    assert subscriber is not None and subscriber.next_due is not None


def test_a_command_on_a_row_whose_zone_vanished_sets_it_aside_instead_of_failing(
    store: Store,
) -> None:
    subscribe_many(store, range(1, 2))
    break_row(store, 1, timezone="Mars/Olympus_Mons")
    store.pause(1, 2, NINE)  # reschedules: must not raise
    store.set_time(1, time(7, 30), NINE)  # nor this
    assert store.quarantined() == [(1, "timezone does not load")]


def test_counting_paused_chats_survives_a_zone_that_no_longer_loads(store: Store) -> None:
    subscribe_many(store, range(1, 3))
    store.pause(1, 3, START)
    break_row(store, 1, timezone="Mars/Olympus_Mons")
    resume_on = (START.date() + timedelta(days=3)).isoformat()
    # Counted by the UTC date until the row is next scheduled (and set aside).
    assert store.paused_groups(START) == [("Mars/Olympus_Mons", resume_on, 1)]


def test_has_due_and_the_oldest_due_tip(store: Store) -> None:
    assert not store.has_due(NINE) and store.oldest_due(NINE) is None
    subscribe_many(store, range(1, 3))
    assert store.oldest_due(NINE - timedelta(minutes=1)) is None  # due later, not waiting
    assert store.has_due(NINE)
    assert store.oldest_due(NINE + timedelta(minutes=7)) == timedelta(minutes=7)


@pytest.mark.parametrize("bad", ["localtime", "Factory", "posixrules", "Mars/Olympus_Mons"])
def test_the_migration_repairs_zones_that_are_not_places(tmp_path: Path, bad: str) -> None:
    db = Database(tmp_path / "old.db")
    migrations.apply(db, stop_before="m010_quarantine")
    for chat, zone in ((1, bad), (2, "Asia/Shanghai"), (3, "UTC+05:30")):
        db.table("subscribers").insert(
            {
                "chat_id": chat,
                "subscribed": 1,
                "tip_time": "09:00",
                "timezone": zone,
                "tip_cursor": 0,
                "created_at": START.isoformat(),
                "updated_at": START.isoformat(),
            }
        )
    db.close()
    store = Store(tmp_path / "old.db")
    try:
        assert store.migrate()[0] == "m010_quarantine"
        zones = dict(store.db.execute("SELECT chat_id, timezone FROM subscribers").fetchall())
    finally:
        store.close()
    assert zones == {1: "UTC", 2: "Asia/Shanghai", 3: "UTC+05:30"}


@pytest.mark.parametrize("name", ["localtime", "Factory", "posixrules", "LOCALTIME"])
def test_zones_that_are_not_places_neither_parse_nor_load(name: str) -> None:
    assert schedule.parse_timezone(name) is None
    assert not schedule.loads(name)
    with pytest.raises(schedule.ZoneError):
        schedule.resolve(name)


def test_every_zone_users_can_choose_loads() -> None:
    names = ["UTC", "UTC+08:00", "UTC-03:30", "Europe/Berlin", "America/Argentina/Buenos_Aires"]
    assert all(schedule.loads(name) for name in names)
    assert not schedule.loads("europe/berlin")  # stored names are canonical


def test_the_claim_time_clock_is_injected(clock: FakeClock, store: Store) -> None:
    # The quarantine stamp comes from the caller's clock, never the wall clock.
    subscribe_many(store, range(1, 3))
    break_row(store, 1, timezone="Factory")
    clock.set(NINE)
    store.claim_due(clock(), 10)
    (stamp,) = store.db.execute("SELECT updated_at FROM subscribers WHERE chat_id = 1").fetchone()
    assert stamp == NINE.isoformat(timespec="seconds")


def test_the_migration_to_private_chats_only_deletes_what_groups_left(tmp_path: Path) -> None:
    old = Store(tmp_path / "old.db")
    migrations.apply(old.db, stop_before="m011_private_chats_only")
    for chat in (7, -100_200, -5):  # written as that version wrote them
        old.db.execute(
            "INSERT INTO subscribers (chat_id, subscribed, tip_time, timezone, tip_cursor, "
            "created_at, updated_at) VALUES (?, 1, '09:00', 'UTC', 0, 'x', 'x')",
            [chat],
        )
        old.db.execute(
            "INSERT INTO checkins (chat_id, local_date, score, created_at) "
            "VALUES (?, '2026-11-26', 4, 'x')",
            [chat],
        )
    old.close()
    store = Store(tmp_path / "old.db")
    try:
        assert store.migrate()[0] == "m011_private_chats_only"
        left = {
            table: sorted(
                {row[0] for row in store.db.execute(f'SELECT chat_id FROM "{table}"').fetchall()}
            )
            for table in ("subscribers", "checkins")
        }
    finally:
        store.close()
    assert left == {"subscribers": [7], "checkins": [7]}
