"""What the store's tests share (tests/storage/): a chat, its day, and
helpers to subscribe, claim and read rows."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from storage import Claim, Store
from storage.migrations import migrations
from tests.conftest import START

CHAT = 42
TODAY = START.date()
#: The default tip time (09:00) on START's day, in UTC (the default timezone).
NINE = START.replace(hour=9)
TOMORROW_NINE = NINE + timedelta(days=1)


def subscribe_at(store: Store, chat_id: int, at: time, now: datetime) -> None:
    store.subscribe(chat_id, now)
    store.set_time(chat_id, at, now)


def next_due(store: Store, chat_id: int) -> datetime | None:
    subscriber = store.subscriber(chat_id)
    assert subscriber is not None
    return subscriber.next_due


OLD_STAMP = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def old_file(path: Path, stop_before: str) -> None:
    """Write a database file migrated up to ``stop_before``, with CHAT subscribed."""
    old = Store(path)
    migrations.apply(old.db, stop_before=stop_before)
    row = {
        "chat_id": CHAT,
        "subscribed": 1,
        "tip_time": "09:00",
        "timezone": "UTC",
        "next_due": 1,
        "tip_cursor": 3,
        "created_at": OLD_STAMP.isoformat(),
        "updated_at": OLD_STAMP.isoformat(),
    }
    if "subscribed_at" in old.db.table("subscribers").columns_dict:
        row["subscribed_at"] = OLD_STAMP.isoformat()  # as that version would have written
    old.db.table("subscribers").insert(row)
    old.close()


#: Enough for every subscriber in these tests.
LIMIT = 100


def claim_one(store: Store, now: datetime) -> Claim:
    claims = store.claim_due(now, LIMIT)
    assert len(claims) == 1, claims
    return claims[0]


def claims_until(store: Store, start: datetime, end: datetime) -> list[Claim]:
    """Call claim_due every 15 minutes from ``start`` to ``end``, marking each claim sent."""
    claims: list[Claim] = []
    now = start
    while now <= end:
        for claim in store.claim_due(now, LIMIT):
            store.mark_sent(claim, 777, now)
            claims.append(claim)
        now += timedelta(minutes=15)
    return claims


def row(store: Store, chat_id: int) -> dict[str, object]:
    """The subscriber's raw row, updated_at included."""
    found: dict[str, object] = store.db.table("subscribers").get(chat_id)
    return found
