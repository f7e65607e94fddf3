"""The SQLite store, one section of what was test_store.py: Who is due for a tip at a time."""

from __future__ import annotations

import sqlite3

from storage import Store
from tests.conftest import START

# Who is due ------------------------------------------------------------------------------------


def test_due_returns_only_subscribers_whose_time_came(three_subscribers: Store) -> None:
    due = three_subscribers.due(START.replace(hour=8))
    assert {s.chat_id for s in due} == {1, 2}


def test_due_returns_earliest_first(three_subscribers: Store) -> None:
    due = three_subscribers.due(START.replace(hour=12))
    assert [s.chat_id for s in due] == [2, 1, 3]


def test_due_includes_the_exact_instant(three_subscribers: Store) -> None:
    due = three_subscribers.due(START.replace(hour=6, minute=30))
    assert [s.chat_id for s in due] == [2]


def test_due_honours_limit(three_subscribers: Store) -> None:
    due = three_subscribers.due(START.replace(hour=12), limit=2)
    assert [s.chat_id for s in due] == [2, 1]


def test_due_is_empty_before_anyone_is_due(three_subscribers: Store) -> None:
    assert three_subscribers.due(START) == []


def test_due_query_uses_the_next_due_index(three_subscribers: Store) -> None:
    statements: list[str] = []
    connection: sqlite3.Connection = three_subscribers.db.conn
    connection.set_trace_callback(statements.append)
    try:
        three_subscribers.due(START.replace(hour=12))
    finally:
        connection.set_trace_callback(None)
    [query] = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    plan = three_subscribers.db.execute(f"EXPLAIN QUERY PLAN {query}").fetchall()
    assert any("subscribers_next_due" in row[-1] for row in plan), plan
