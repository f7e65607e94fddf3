"""The SQLite store, one section of what was test_store.py: Erasure: everything about a chat
deleted."""

from __future__ import annotations

import sqlite3

import pytest

from storage import Store
from storage.store import chat_tables
from tests.conftest import START
from tests.storage.store_common import (
    CHAT,
    LIMIT,
    NINE,
)

# Erasure ---------------------------------------------------------------------------------------

OTHER = 7


def rows_about(store: Store, chat_id: int) -> int:
    """Rows about ``chat_id`` in every table with a chat_id column, read from the schema."""
    return sum(
        store.db.execute(f'SELECT count(*) FROM "{table}" WHERE chat_id = ?', [chat_id]).fetchone()[
            0
        ]
        for table in chat_tables(store.db)
    )


def with_a_sent_tip(store: Store, chat_id: int) -> None:
    """Subscribe ``chat_id`` and log the day's tip as sent to it."""
    store.subscribe(chat_id, START)
    (claim,) = [c for c in store.claim_due(NINE, LIMIT) if c.chat_id == chat_id]
    store.mark_sent(claim, 1000 + chat_id, NINE)


def test_chat_tables_are_read_from_the_schema(store: Store) -> None:
    assert chat_tables(store.db) == [
        "broadcast_deliveries",
        "checkins",
        "deliveries",
        "feedback",
        "red_flags",
        "sessions",
        "subscribers",
    ]


def test_delete_chat_removes_settings_and_delivery_log(store: Store) -> None:
    with_a_sent_tip(store, CHAT)
    assert store.delete_chat(CHAT) == 2
    assert rows_about(store, CHAT) == 0


def test_delete_chat_keeps_other_chats(store: Store) -> None:
    with_a_sent_tip(store, CHAT)
    with_a_sent_tip(store, OTHER)
    store.delete_chat(CHAT)
    assert rows_about(store, OTHER) == 2


def test_delete_unknown_chat_deletes_nothing(store: Store) -> None:
    with_a_sent_tip(store, OTHER)
    assert store.delete_chat(CHAT) == 0
    assert rows_about(store, OTHER) == 2


def test_delete_chat_covers_a_table_added_later(store: Store) -> None:
    store.db.execute("CREATE TABLE later (chat_id INTEGER, score INTEGER)")
    store.db.execute("INSERT INTO later VALUES (?, 3), (?, 4)", [CHAT, OTHER])
    store.delete_chat(CHAT)
    assert [row["chat_id"] for row in store.db.table("later").rows] == [OTHER]


def test_delete_chat_rolls_back_on_failure(store: Store) -> None:
    with_a_sent_tip(store, CHAT)
    # A trigger that fails the second table's delete: the first must be undone too.
    store.db.execute(
        "CREATE TRIGGER refuse BEFORE DELETE ON subscribers BEGIN SELECT RAISE(ABORT, 'no'); END"
    )
    with pytest.raises(sqlite3.IntegrityError):
        store.delete_chat(CHAT)
    assert rows_about(store, CHAT) == 2


def test_deleted_chat_is_no_longer_due(store: Store) -> None:
    store.subscribe(CHAT, START)
    store.delete_chat(CHAT)
    assert store.claim_due(NINE, LIMIT) == []


def test_failed_send_to_a_chat_deleted_meanwhile_is_not_retried(store: Store) -> None:
    store.subscribe(CHAT, START)
    (claim,) = store.claim_due(NINE, LIMIT)
    store.delete_chat(CHAT)
    assert store.mark_failed(claim, NINE) is None
    assert rows_about(store, CHAT) == 0
