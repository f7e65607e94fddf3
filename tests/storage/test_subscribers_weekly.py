"""The weekly look back in storage: due only while the chat is subscribed; the chosen day
is kept while it is not, and comes back with the subscription."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from storage import Store
from storage.migrations import migrations
from storage.models import epoch
from tests.conftest import START, FakeClock

CHAT = 42
THURSDAY = START.weekday()
#: START is Thursday 06:00 UTC: the look back is due at 18:00 UTC that day.
DUE = START.replace(hour=18)


def test_unsubscribing_stops_the_look_back_and_keeps_the_day(
    store: Store, clock: FakeClock
) -> None:
    store.subscribe(CHAT, clock())
    store.set_weekly(CHAT, THURSDAY, clock())
    subscriber, _ = store.unsubscribe(CHAT, clock())
    assert (subscriber.weekly_day, subscriber.weekly_due) == (THURSDAY, None)
    assert store.due_weeklies(DUE + timedelta(days=30), 10) == []


def test_subscribing_again_brings_the_day_back(store: Store, clock: FakeClock) -> None:
    store.subscribe(CHAT, clock())
    store.set_weekly(CHAT, THURSDAY, clock())
    store.unsubscribe(CHAT, clock())
    clock.set(DUE + timedelta(days=3))  # Sunday
    subscriber, _ = store.subscribe(CHAT, clock())
    assert subscriber.weekly_due == DUE + timedelta(days=7)  # the next Thursday, not a backlog
    assert [s.chat_id for s in store.due_weeklies(DUE + timedelta(days=7), 10)] == [CHAT]


def test_a_day_chosen_while_unsubscribed_waits_for_the_subscription(
    store: Store, clock: FakeClock
) -> None:
    subscriber = store.set_weekly(CHAT, THURSDAY, clock())
    assert (subscriber.weekly_day, subscriber.weekly_due) == (THURSDAY, None)
    assert store.due_weeklies(DUE, 10) == []
    subscriber, _ = store.subscribe(CHAT, clock())
    assert subscriber.weekly_due == DUE


def test_a_new_timezone_while_unsubscribed_schedules_nothing(
    store: Store, clock: FakeClock
) -> None:
    store.subscribe(CHAT, clock())
    store.set_weekly(CHAT, THURSDAY, clock())
    store.unsubscribe(CHAT, clock())
    subscriber = store.set_timezone(CHAT, "Asia/Tokyo", clock())
    assert subscriber.weekly_due is None
    subscriber, _ = store.subscribe(CHAT, clock())
    assert subscriber.weekly_due == datetime(2026, 11, 26, 9, tzinfo=UTC)  # 18:00 in Tokyo


def test_a_look_back_left_due_by_an_older_version_is_not_taken_after_unsubscribing(
    store: Store, clock: FakeClock
) -> None:
    store.subscribe(CHAT, clock())
    store.set_weekly(CHAT, THURSDAY, clock())
    # What an older version left behind: unsubscribed, the look back still due.
    store.db.execute("UPDATE subscribers SET subscribed = 0 WHERE chat_id = ?", [CHAT])
    assert store.due_weeklies(DUE, 10) == []


def test_migrating_clears_the_look_back_of_chats_that_unsubscribed(tmp_path: Path) -> None:
    old = Store(tmp_path / "old.db")
    migrations.apply(old.db, stop_before="m019_weekly_subscribed")
    for chat_id, subscribed in ((1, 0), (2, 1)):
        old.db.table("subscribers").insert(
            {
                "chat_id": chat_id,
                "subscribed": subscribed,
                "tip_time": "09:00",
                "timezone": "UTC",
                "tip_cursor": 0,
                "created_at": START.isoformat(),
                "updated_at": START.isoformat(),
                "weekly_day": THURSDAY,
                "weekly_due": epoch(DUE),
            }
        )
    old.migrate()
    try:
        gone, kept = old.subscriber(1), old.subscriber(2)
        assert gone is not None and (gone.weekly_day, gone.weekly_due) == (THURSDAY, None)
        assert kept is not None and kept.weekly_due == DUE
    finally:
        old.close()
