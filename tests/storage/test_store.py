"""The SQLite store: migrations, tips, subscriptions and the daily delivery log."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest

from content import Content
from storage import DeliveryStatus, Store
from storage.migrations import migrations
from storage.store import MAX_ATTEMPTS, RETRY_DELAY
from tests.conftest import START, FakeClock

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


# Migrations ------------------------------------------------------------------------------------


def test_migrate_new_file_applies_every_migration(tmp_path: Path) -> None:
    fresh = Store(tmp_path / "fresh.db")
    try:
        assert fresh.migrate() == ["m001_initial", "m002_blocked"]
    finally:
        fresh.close()


def test_migrate_a_file_from_an_older_version(tmp_path: Path, clock: FakeClock) -> None:
    old = Store(tmp_path / "old.db")
    migrations.apply(old.db, stop_before="m002_blocked")
    old.db.table("subscribers").insert(
        {
            "chat_id": CHAT,
            "subscribed": 1,
            "tip_time": "09:00",
            "timezone": "UTC",
            "next_due": 1,
            "tip_cursor": 3,
            "created_at": "x",
            "updated_at": "x",
        }
    )
    old.close()
    upgraded = Store(tmp_path / "old.db")
    try:
        assert upgraded.migrate() == ["m002_blocked"]
        subscriber = upgraded.subscriber(CHAT)
    finally:
        upgraded.close()
    assert subscriber is not None
    assert (subscriber.subscribed, subscriber.blocked, subscriber.tip_cursor) == (True, False, 3)


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


# Tips ------------------------------------------------------------------------------------------


def test_synced_tips_match_content_in_order(store: Store, content: Content) -> None:
    assert [tip.id for tip in store.tips()] == [tip.id for tip in content.tips]


def test_sync_tips_again_changes_nothing(store: Store, content: Content, clock: FakeClock) -> None:
    result = store.sync_tips(content.tips, clock())
    assert (result.added, result.updated, result.retired) == (0, 0, 0)


def test_sync_tips_again_keeps_row_count(store: Store, content: Content, clock: FakeClock) -> None:
    store.sync_tips(content.tips, clock())
    assert store.db.table("tips").count == len(content.tips)


def test_sync_tips_updates_edited_text(store: Store, content: Content, clock: FakeClock) -> None:
    edited = replace(content.tips[0], text=content.tips[0].text + " Edited.")
    result = store.sync_tips([edited, *content.tips[1:]], clock())
    assert (result.added, result.updated, result.retired) == (0, 1, 0)
    assert store.tips()[0].text == edited.text


def test_sync_tips_retires_removed_tip(store: Store, content: Content, clock: FakeClock) -> None:
    removed = content.tips[1]
    result = store.sync_tips([t for t in content.tips if t.id != removed.id], clock())
    assert result.retired == 1
    assert removed.id not in [tip.id for tip in store.tips()]


def test_retired_tip_is_never_taken(store: Store, content: Content, clock: FakeClock) -> None:
    removed = content.tips[1]
    store.sync_tips([t for t in content.tips if t.id != removed.id], clock())
    taken = [store.take_tip(CHAT, clock()).id for _ in range(2 * len(content.tips))]
    assert removed.id not in taken


def test_retired_tip_is_kept_for_the_delivery_log(
    store: Store, content: Content, clock: FakeClock
) -> None:
    store.sync_tips(content.tips[1:], clock())
    assert store.db.table("tips").count == len(content.tips)


def test_re_added_tip_comes_back(store: Store, content: Content, clock: FakeClock) -> None:
    removed = content.tips[1]
    store.sync_tips([t for t in content.tips if t.id != removed.id], clock())
    store.sync_tips(content.tips, clock())
    assert [tip.id for tip in store.tips()] == [tip.id for tip in content.tips]


def test_take_tip_walks_every_tip_in_order_then_wraps(
    store: Store, content: Content, clock: FakeClock
) -> None:
    taken = [store.take_tip(CHAT, clock()).id for _ in range(len(content.tips) + 1)]
    assert taken == [tip.id for tip in content.tips] + [content.tips[0].id]


def test_take_tip_without_tips_raises_lookup_error(tmp_path: Path, clock: FakeClock) -> None:
    empty = Store(tmp_path / "empty.db")
    try:
        empty.migrate()
        with pytest.raises(LookupError):
            empty.take_tip(CHAT, clock())
    finally:
        empty.close()


# Subscribers -----------------------------------------------------------------------------------


def test_new_chat_is_not_subscribed(store: Store, clock: FakeClock) -> None:
    subscriber = store.ensure(CHAT, clock())
    assert (subscriber.subscribed, subscriber.next_due) == (False, None)


def test_subscribe_reports_a_change(store: Store, clock: FakeClock) -> None:
    subscriber, changed = store.subscribe(CHAT, clock())
    assert (subscriber.subscribed, changed) == (True, True)


def test_subscribe_schedules_todays_tip(store: Store, clock: FakeClock) -> None:
    subscriber, _ = store.subscribe(CHAT, clock())
    assert subscriber.next_due == NINE


def test_subscribe_twice_reports_no_change(store: Store, clock: FakeClock) -> None:
    store.subscribe(CHAT, clock())
    subscriber, changed = store.subscribe(CHAT, clock())
    assert (subscriber.subscribed, changed) == (True, False)


def test_unsubscribe_reports_a_change_and_clears_next_due(store: Store, clock: FakeClock) -> None:
    store.subscribe(CHAT, clock())
    subscriber, changed = store.unsubscribe(CHAT, clock())
    assert (subscriber.subscribed, subscriber.next_due, changed) == (False, None, True)


def test_unsubscribe_when_not_subscribed_reports_no_change(store: Store, clock: FakeClock) -> None:
    _, changed = store.unsubscribe(CHAT, clock())
    assert changed is False


def test_set_time_reschedules(store: Store, clock: FakeClock) -> None:
    store.subscribe(CHAT, clock())
    subscriber = store.set_time(CHAT, time(7, 30), clock())
    assert subscriber.next_due == START.replace(hour=7, minute=30)


def test_set_timezone_reschedules_in_local_time(store: Store, clock: FakeClock) -> None:
    store.subscribe(CHAT, clock())
    subscriber = store.set_timezone(CHAT, "Europe/Berlin", clock())
    assert subscriber.next_due == START.replace(hour=8)  # 09:00 in Berlin, UTC+1


def test_set_timezone_unknown_raises_and_writes_nothing(store: Store, clock: FakeClock) -> None:
    before = store.subscribe(CHAT, clock())[0]
    clock.advance(minutes=1)
    with pytest.raises(ValueError):
        store.set_timezone(CHAT, "Mars/Base", clock())
    assert store.subscriber(CHAT) == before


def test_set_timezone_unknown_creates_no_chat(store: Store, clock: FakeClock) -> None:
    with pytest.raises(ValueError):
        store.set_timezone(CHAT, "Mars/Base", clock())
    assert store.subscriber(CHAT) is None


def test_blocking_stops_tips_and_keeps_the_subscription(store: Store, clock: FakeClock) -> None:
    store.subscribe(CHAT, clock())
    assert store.set_blocked(CHAT, True, clock()) is True
    subscriber = store.subscriber(CHAT)
    assert subscriber is not None
    assert (subscriber.subscribed, subscriber.blocked, subscriber.next_due) == (True, True, None)
    assert store.due(clock() + timedelta(days=2)) == []


def test_unblocking_resumes_tips(store: Store, clock: FakeClock) -> None:
    store.subscribe(CHAT, clock())
    store.set_blocked(CHAT, True, clock())
    assert store.set_blocked(CHAT, False, clock()) is True
    subscriber = store.subscriber(CHAT)
    assert subscriber is not None and not subscriber.blocked
    assert subscriber.next_due is not None


def test_unblocking_does_not_subscribe_someone_who_left(store: Store, clock: FakeClock) -> None:
    store.ensure(CHAT, clock())
    store.set_blocked(CHAT, True, clock())
    store.set_blocked(CHAT, False, clock())
    subscriber = store.subscriber(CHAT)
    assert subscriber is not None and not subscriber.subscribed and subscriber.next_due is None


def test_blocking_an_unknown_chat_creates_nothing(store: Store, clock: FakeClock) -> None:
    assert store.set_blocked(CHAT, True, clock()) is False
    assert store.subscriber(CHAT) is None


# Who is due ------------------------------------------------------------------------------------


@pytest.fixture
def three_subscribers(store: Store, clock: FakeClock) -> Store:
    """Chat 1 at 07:00, chat 2 at 06:30, chat 3 at 10:00 (UTC), chat 4 not subscribed."""
    subscribe_at(store, 1, time(7, 0), clock())
    subscribe_at(store, 2, time(6, 30), clock())
    subscribe_at(store, 3, time(10, 0), clock())
    store.ensure(4, clock())
    return store


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


# Daily delivery --------------------------------------------------------------------------------


@pytest.fixture
def subscribed(store: Store, clock: FakeClock) -> Store:
    """CHAT subscribed at START for 09:00 UTC; the clock stands at 09:00."""
    store.subscribe(CHAT, clock())
    clock.set(NINE)
    return store


def test_claim_returns_the_next_tip(subscribed: Store, content: Content, clock: FakeClock) -> None:
    tip = subscribed.claim(CHAT, TODAY, clock())
    assert tip is not None
    assert tip.id == content.tips[0].id


def test_claim_records_a_claimed_delivery(subscribed: Store, clock: FakeClock) -> None:
    tip = subscribed.claim(CHAT, TODAY, clock())
    delivery = subscribed.delivery(CHAT, TODAY)
    assert delivery is not None
    assert tip is not None
    assert (delivery.status, delivery.tip_id, delivery.attempts) == (
        DeliveryStatus.CLAIMED,
        tip.id,
        1,
    )


def test_second_claim_same_day_returns_none(subscribed: Store, clock: FakeClock) -> None:
    subscribed.claim(CHAT, TODAY, clock())
    assert subscribed.claim(CHAT, TODAY, clock()) is None


def test_second_claim_same_day_adds_no_delivery(subscribed: Store, clock: FakeClock) -> None:
    subscribed.claim(CHAT, TODAY, clock())
    subscribed.claim(CHAT, TODAY, clock())
    assert len(list(subscribed.deliveries(CHAT))) == 1


def test_second_claim_same_day_schedules_tomorrow(subscribed: Store, clock: FakeClock) -> None:
    subscribed.claim(CHAT, TODAY, clock())
    subscribed.claim(CHAT, TODAY, clock())
    assert next_due(subscribed, CHAT) == TOMORROW_NINE


def test_mark_sent_records_status_and_message_id(subscribed: Store, clock: FakeClock) -> None:
    tip = subscribed.claim(CHAT, TODAY, clock())
    assert tip is not None
    subscribed.mark_sent(CHAT, TODAY, tip, 777, clock())
    delivery = subscribed.delivery(CHAT, TODAY)
    assert delivery is not None
    assert (delivery.status, delivery.message_id) == (DeliveryStatus.SENT, 777)


def test_mark_sent_moves_cursor_to_the_tips_position(
    subscribed: Store, content: Content, clock: FakeClock
) -> None:
    subscribed.take_tip(CHAT, clock())
    subscribed.take_tip(CHAT, clock())
    tip = subscribed.claim(CHAT, TODAY, clock())
    assert tip is not None
    subscribed.mark_sent(CHAT, TODAY, tip, 777, clock())
    subscriber = subscribed.subscriber(CHAT)
    assert subscriber is not None
    assert (tip.id, subscriber.tip_cursor) == (content.tips[2].id, content.tips[2].position)


def test_mark_sent_schedules_tomorrow(subscribed: Store, clock: FakeClock) -> None:
    tip = subscribed.claim(CHAT, TODAY, clock())
    assert tip is not None
    clock.advance(seconds=2)
    subscribed.mark_sent(CHAT, TODAY, tip, 777, clock())
    assert next_due(subscribed, CHAT) == TOMORROW_NINE


def test_mark_failed_schedules_retry_five_minutes_later(
    subscribed: Store, clock: FakeClock
) -> None:
    subscribed.claim(CHAT, TODAY, clock())
    retry = subscribed.mark_failed(CHAT, TODAY, clock())
    assert retry == NINE + RETRY_DELAY
    assert next_due(subscribed, CHAT) == retry


def test_mark_failed_records_failed_status(subscribed: Store, clock: FakeClock) -> None:
    subscribed.claim(CHAT, TODAY, clock())
    subscribed.mark_failed(CHAT, TODAY, clock())
    delivery = subscribed.delivery(CHAT, TODAY)
    assert delivery is not None
    assert delivery.status == DeliveryStatus.FAILED


def test_failed_tip_is_claimed_again_with_the_same_tip(subscribed: Store, clock: FakeClock) -> None:
    first = subscribed.claim(CHAT, TODAY, clock())
    subscribed.mark_failed(CHAT, TODAY, clock())
    clock.advance(minutes=5)
    assert subscribed.claim(CHAT, TODAY, clock()) == first


def test_mark_failed_after_last_attempt_schedules_tomorrow(
    subscribed: Store, clock: FakeClock
) -> None:
    retries = []
    for _ in range(MAX_ATTEMPTS):
        assert subscribed.claim(CHAT, TODAY, clock()) is not None
        retries.append(subscribed.mark_failed(CHAT, TODAY, clock()))
        clock.advance(minutes=5)
    assert retries == [NINE + RETRY_DELAY, NINE + 2 * RETRY_DELAY, None]
    assert next_due(subscribed, CHAT) == TOMORROW_NINE


def test_mark_failed_counts_attempts(subscribed: Store, clock: FakeClock) -> None:
    for _ in range(MAX_ATTEMPTS):
        subscribed.claim(CHAT, TODAY, clock())
        subscribed.mark_failed(CHAT, TODAY, clock())
        clock.advance(minutes=5)
    delivery = subscribed.delivery(CHAT, TODAY)
    assert delivery is not None
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, MAX_ATTEMPTS)


def test_mark_failed_gives_no_retry_past_local_midnight(store: Store, clock: FakeClock) -> None:
    subscribe_at(store, CHAT, time(23, 50), clock())
    clock.set(START.replace(hour=23, minute=57))
    store.claim(CHAT, TODAY, clock())
    assert store.mark_failed(CHAT, TODAY, clock()) is None


def test_mark_failed_without_retry_is_not_due_again_today(store: Store, clock: FakeClock) -> None:
    subscribe_at(store, CHAT, time(23, 58), clock())
    clock.set(START.replace(hour=23, minute=58))
    store.claim(CHAT, TODAY, clock())
    assert store.mark_failed(CHAT, TODAY, clock()) is None
    assert next_due(store, CHAT) == START.replace(hour=23, minute=58) + timedelta(days=1)


@pytest.fixture
def down_overnight(store: Store, clock: FakeClock) -> Store:
    """CHAT subscribed for 09:00 UTC on START's day; the bot was down until the next day."""
    store.subscribe(CHAT, clock())
    return store


def test_skip_day_records_skipped(down_overnight: Store, clock: FakeClock) -> None:
    clock.set(TOMORROW_NINE + timedelta(hours=1))
    down_overnight.skip_day(CHAT, TODAY, clock())
    delivery = down_overnight.delivery(CHAT, TODAY)
    assert delivery is not None
    assert (delivery.status, delivery.tip_id) == (DeliveryStatus.SKIPPED, None)


def test_skip_day_catches_up_todays_passed_tip(down_overnight: Store, clock: FakeClock) -> None:
    clock.set(TOMORROW_NINE + timedelta(hours=1))
    down_overnight.skip_day(CHAT, TODAY, clock())
    assert next_due(down_overnight, CHAT) == TOMORROW_NINE
    assert [s.chat_id for s in down_overnight.due(clock())] == [CHAT]


def test_skip_day_keeps_todays_tip_at_its_time_when_not_yet_passed(
    down_overnight: Store, clock: FakeClock
) -> None:
    clock.set(TOMORROW_NINE - timedelta(hours=1))
    down_overnight.skip_day(CHAT, TODAY, clock())
    assert next_due(down_overnight, CHAT) == TOMORROW_NINE


def test_skip_day_does_not_repeat_todays_sent_tip(down_overnight: Store, clock: FakeClock) -> None:
    tomorrow = TODAY + timedelta(days=1)
    clock.set(TOMORROW_NINE)
    tip = down_overnight.claim(CHAT, tomorrow, clock())
    assert tip is not None
    down_overnight.mark_sent(CHAT, tomorrow, tip, 777, clock())
    clock.advance(hours=1)
    down_overnight.skip_day(CHAT, TODAY, clock())
    assert next_due(down_overnight, CHAT) == TOMORROW_NINE + timedelta(days=1)


def test_deliveries_are_oldest_day_first(subscribed: Store, clock: FakeClock) -> None:
    tomorrow = TODAY + timedelta(days=1)
    clock.set(TOMORROW_NINE)
    subscribed.claim(CHAT, tomorrow, clock())
    subscribed.skip_day(CHAT, TODAY, clock())
    assert [d.local_date for d in subscribed.deliveries(CHAT)] == [TODAY, tomorrow]
