"""The SQLite store, one section of what was test_store.py: A subscriber column is declared by
its migration and its field, and read by subscriber_from_row."""

from __future__ import annotations

import dataclasses
from datetime import time

from storage import Caution, Store, Subscriber
from storage.rules.schedule import WEEKDAYS
from tests.conftest import FakeClock
from tests.storage.store_common import (
    CHAT,
)

# A subscriber column is declared by its migration and its field, and read by subscriber_from_row


def test_the_subscribers_table_has_a_column_for_every_field(store: Store) -> None:
    columns = {row[1] for row in store.db.execute("PRAGMA table_info(subscribers)").fetchall()}
    field_names = {field.name for field in dataclasses.fields(Subscriber)}
    assert columns == field_names | {"created_at", "updated_at"}


def test_every_column_is_read_back_into_its_field(store: Store, clock: FakeClock) -> None:
    """Each field set away from its default in the table comes back: a column that
    ``subscriber_from_row`` forgot would come back as the default."""
    now = clock()
    store.subscribe(CHAT, now)
    written = {
        "subscribed": 0,
        "tip_time": "07:45",
        "timezone": "Asia/Tokyo",
        "next_due": 1_900_000_000,
        "tip_cursor": 7,
        "blocked": 1,
        "days": WEEKDAYS,
        "resume_on": "2026-12-24",
        "caution": Caution.CLEARED.value,
        "hold_techniques": 1,
        "checkin_prompt": 1,
        "subscribed_at": "2026-11-01T08:00:00+00:00",
        "language": "zh",
        "telegram_language": "en",
        "program_done": 1,
        "quarantine": "timezone does not load",
        "flare_on": "2026-11-20",
        "evening_time": "21:30",
        "weekly_day": 6,
        "weekly_due": 1_900_000_500,
        "pain_stop_on": "2026-11-21",
        "worse_on": "2026-11-22",
        "warning_sign_on": "2026-11-23",
        "below_knee": "yes",
        "days_like": "sitting",
        "focus": "sleep",
        "tips_seen": b"\x01\x00\x00\x00\x00\x00\x05\x00",
    }
    assert written.keys() == {f.name for f in dataclasses.fields(Subscriber)} - {"chat_id"}
    assignments = ", ".join(f"{name} = ?" for name in written)
    store.db.execute(
        f"UPDATE subscribers SET {assignments} WHERE chat_id = ?", [*written.values(), CHAT]
    )
    subscriber = store.subscriber(CHAT)
    assert subscriber is not None
    defaults = Subscriber(
        chat_id=CHAT, subscribed=True, tip_time=time(9), timezone="UTC", next_due=None, tip_cursor=0
    )
    unchanged = [
        f.name
        for f in dataclasses.fields(Subscriber)
        if f.name != "chat_id" and getattr(subscriber, f.name) == getattr(defaults, f.name)
    ]
    assert unchanged == []
