"""The SQLite store: migrations, tips, subscriptions and the daily delivery log."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from content import Content
from storage import Caution, Claim, DeliveryStatus, Recovery, Store, Subscriber
from storage.deliveries import MAX_ATTEMPTS, RETRY_DELAY
from storage.migrations import migrations
from storage.schedule import EVERY_DAY, WEEKDAYS
from storage.store import chat_tables
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
    taken = [store.take_tip(CHAT, clock()).tip.id for _ in range(2 * len(content.tips))]
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


def test_take_tip_walks_the_program_in_order_then_the_library_without_repeats(
    store: Store, content: Content, clock: FakeClock
) -> None:
    store.set_caution(CHAT, Caution.NONE, clock())
    taken = []
    for _ in range(content.program_days + 200):
        taken.append(store.take_tip(CHAT, clock()).tip.id)
        clock.advance(days=1)
    program = [tip.id for tip in content.tips if tip.program_day is not None]
    assert taken[: content.program_days] == program
    library = {tip.id for tip in content.tips if tip.program_day is None}
    after = taken[content.program_days :]
    assert set(after) <= library and len(set(after)) == len(after)


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


def test_settings_of_a_new_chat_are_the_defaults_and_store_nothing(
    store: Store, clock: FakeClock
) -> None:
    shown = store.settings_of(CHAT)
    assert store.subscriber(CHAT) is None
    assert shown == store.ensure(CHAT, clock())


def test_settings_of_a_known_chat_are_its_own(store: Store, clock: FakeClock) -> None:
    subscribed, _ = store.subscribe(CHAT, clock())
    assert store.settings_of(CHAT) == subscribed


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

#: Enough for every subscriber in these tests.
LIMIT = 100


def claim_one(store: Store, now: datetime) -> Claim:
    claims = store.claim_due(now, LIMIT)
    assert len(claims) == 1, claims
    return claims[0]


def stored_due_at(store: Store, chat_id: int, day: date) -> int | None:
    due_at: int | None = store.db.table("deliveries").get((chat_id, day.isoformat()))["due_at"]
    return due_at


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


@pytest.fixture
def subscribed(store: Store, clock: FakeClock) -> Store:
    """CHAT subscribed at START for 09:00 UTC; the clock stands at 09:00."""
    store.subscribe(CHAT, clock())
    clock.set(NINE)
    return store


def test_claim_due_before_the_time_claims_nothing(store: Store, clock: FakeClock) -> None:
    store.subscribe(CHAT, clock())
    assert store.claim_due(NINE - timedelta(minutes=1), LIMIT) == []


def test_claim_due_returns_the_next_tip(
    subscribed: Store, content: Content, clock: FakeClock
) -> None:
    claim = claim_one(subscribed, clock())
    assert (claim.chat_id, claim.day, claim.tip.id) == (CHAT, TODAY, content.tips[0].id)


def test_claim_due_returns_when_the_tip_was_due(subscribed: Store, clock: FakeClock) -> None:
    clock.advance(minutes=3)
    assert claim_one(subscribed, clock()).due_at == NINE


def test_claim_due_records_a_claimed_delivery(subscribed: Store, clock: FakeClock) -> None:
    claim = claim_one(subscribed, clock())
    delivery = subscribed.delivery(CHAT, TODAY)
    assert delivery is not None
    assert (delivery.status, delivery.tip_id, delivery.attempts) == (
        DeliveryStatus.CLAIMED,
        claim.tip.id,
        1,
    )


def test_claim_due_records_the_due_instant(subscribed: Store, clock: FakeClock) -> None:
    clock.advance(minutes=3)
    claim_one(subscribed, clock())
    assert stored_due_at(subscribed, CHAT, TODAY) == int(NINE.timestamp())


def test_second_claim_due_returns_nothing(subscribed: Store, clock: FakeClock) -> None:
    claim_one(subscribed, clock())
    assert subscribed.claim_due(clock(), LIMIT) == []


def test_second_claim_due_adds_no_delivery(subscribed: Store, clock: FakeClock) -> None:
    claim_one(subscribed, clock())
    subscribed.claim_due(clock(), LIMIT)
    assert len(list(subscribed.deliveries(CHAT))) == 1


def test_claim_due_schedules_tomorrow(subscribed: Store, clock: FakeClock) -> None:
    claim_one(subscribed, clock())
    assert next_due(subscribed, CHAT) == TOMORROW_NINE


def test_claim_due_returns_earliest_first(three_subscribers: Store) -> None:
    claims = three_subscribers.claim_due(START.replace(hour=12), LIMIT)
    assert [c.chat_id for c in claims] == [2, 1, 3]


def test_claim_due_honours_limit(three_subscribers: Store) -> None:
    claims = three_subscribers.claim_due(START.replace(hour=12), 2)
    assert [c.chat_id for c in claims] == [2, 1]


def test_claim_due_leaves_those_past_the_limit_for_the_next_call(
    three_subscribers: Store,
) -> None:
    three_subscribers.claim_due(START.replace(hour=12), 2)
    claims = three_subscribers.claim_due(START.replace(hour=12), 2)
    assert [c.chat_id for c in claims] == [3]


def test_mark_sending_records_status(subscribed: Store, clock: FakeClock) -> None:
    subscribed.mark_sending(claim_one(subscribed, clock()), clock())
    delivery = subscribed.delivery(CHAT, TODAY)
    assert delivery is not None
    assert delivery.status == DeliveryStatus.SENDING


def test_mark_sent_records_status_and_message_id(subscribed: Store, clock: FakeClock) -> None:
    subscribed.mark_sent(claim_one(subscribed, clock()), 777, clock())
    delivery = subscribed.delivery(CHAT, TODAY)
    assert delivery is not None
    assert (delivery.status, delivery.message_id) == (DeliveryStatus.SENT, 777)


def test_mark_sent_moves_cursor_to_the_tips_position(
    subscribed: Store, content: Content, clock: FakeClock
) -> None:
    subscribed.take_tip(CHAT, clock())
    subscribed.take_tip(CHAT, clock())
    claim = claim_one(subscribed, clock())
    subscribed.mark_sent(claim, 777, clock())
    subscriber = subscribed.subscriber(CHAT)
    assert subscriber is not None
    assert (claim.tip.id, subscriber.tip_cursor) == (content.tips[2].id, content.tips[2].position)


def test_mark_sent_keeps_tomorrow_scheduled(subscribed: Store, clock: FakeClock) -> None:
    claim = claim_one(subscribed, clock())
    clock.advance(seconds=2)
    subscribed.mark_sent(claim, 777, clock())
    assert next_due(subscribed, CHAT) == TOMORROW_NINE


def test_mark_failed_schedules_retry_five_minutes_later(
    subscribed: Store, clock: FakeClock
) -> None:
    retry = subscribed.mark_failed(claim_one(subscribed, clock()), clock())
    assert retry == NINE + RETRY_DELAY
    assert next_due(subscribed, CHAT) == retry


def test_mark_failed_records_failed_status(subscribed: Store, clock: FakeClock) -> None:
    subscribed.mark_failed(claim_one(subscribed, clock()), clock())
    delivery = subscribed.delivery(CHAT, TODAY)
    assert delivery is not None
    assert delivery.status == DeliveryStatus.FAILED


def test_failed_day_is_claimed_again_with_the_same_tip(subscribed: Store, clock: FakeClock) -> None:
    first = claim_one(subscribed, clock())
    subscribed.mark_failed(first, clock())
    clock.advance(minutes=5)
    again = claim_one(subscribed, clock())
    assert (again.chat_id, again.day, again.tip) == (first.chat_id, first.day, first.tip)


def test_failed_day_claimed_again_is_due_at_the_retry(subscribed: Store, clock: FakeClock) -> None:
    subscribed.mark_failed(claim_one(subscribed, clock()), clock())
    clock.advance(minutes=5)
    assert claim_one(subscribed, clock()).due_at == NINE + RETRY_DELAY


def test_failed_day_claimed_again_counts_an_attempt(subscribed: Store, clock: FakeClock) -> None:
    subscribed.mark_failed(claim_one(subscribed, clock()), clock())
    clock.advance(minutes=5)
    claim_one(subscribed, clock())
    delivery = subscribed.delivery(CHAT, TODAY)
    assert delivery is not None
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.CLAIMED, 2)


def test_failed_day_is_not_claimed_before_the_retry(subscribed: Store, clock: FakeClock) -> None:
    subscribed.mark_failed(claim_one(subscribed, clock()), clock())
    clock.advance(minutes=4)
    assert subscribed.claim_due(clock(), LIMIT) == []


def test_mark_failed_gives_no_retry_after_the_last_attempt(
    subscribed: Store, clock: FakeClock
) -> None:
    retries = []
    for _ in range(MAX_ATTEMPTS):
        retries.append(subscribed.mark_failed(claim_one(subscribed, clock()), clock()))
        clock.advance(minutes=5)
    assert retries == [NINE + RETRY_DELAY * n for n in range(1, MAX_ATTEMPTS)] + [None]


def test_mark_failed_after_the_last_attempt_keeps_tomorrow_scheduled(
    subscribed: Store, clock: FakeClock
) -> None:
    for _ in range(MAX_ATTEMPTS):
        subscribed.mark_failed(claim_one(subscribed, clock()), clock())
        clock.advance(minutes=5)
    assert next_due(subscribed, CHAT) == TOMORROW_NINE
    assert subscribed.claim_due(clock(), LIMIT) == []


def test_mark_failed_counts_attempts(subscribed: Store, clock: FakeClock) -> None:
    for _ in range(MAX_ATTEMPTS):
        subscribed.mark_failed(claim_one(subscribed, clock()), clock())
        clock.advance(minutes=5)
    delivery = subscribed.delivery(CHAT, TODAY)
    assert delivery is not None
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, MAX_ATTEMPTS)


def test_mark_failed_without_retry_returns_none(subscribed: Store, clock: FakeClock) -> None:
    assert subscribed.mark_failed(claim_one(subscribed, clock()), clock(), retry=False) is None


def test_mark_failed_without_retry_keeps_tomorrow_scheduled(
    subscribed: Store, clock: FakeClock
) -> None:
    subscribed.mark_failed(claim_one(subscribed, clock()), clock(), retry=False)
    assert next_due(subscribed, CHAT) == TOMORROW_NINE


def test_mark_failed_gives_no_retry_after_unsubscribing(
    subscribed: Store, clock: FakeClock
) -> None:
    claim = claim_one(subscribed, clock())
    subscribed.unsubscribe(CHAT, clock())
    assert subscribed.mark_failed(claim, clock()) is None
    assert next_due(subscribed, CHAT) is None


def test_mark_failed_gives_no_retry_past_local_midnight(store: Store, clock: FakeClock) -> None:
    # 23:57 in Berlin is 22:57 UTC: the retry would still be the same UTC day, not local day.
    store.set_timezone(CHAT, "Europe/Berlin", clock())
    subscribe_at(store, CHAT, time(23, 57), clock())
    clock.set(START.replace(hour=22, minute=57))
    assert store.mark_failed(claim_one(store, clock()), clock()) is None


def test_mark_failed_past_local_midnight_keeps_tomorrow_scheduled(
    store: Store, clock: FakeClock
) -> None:
    subscribe_at(store, CHAT, time(23, 58), clock())
    clock.set(START.replace(hour=23, minute=58))
    store.mark_failed(claim_one(store, clock()), clock())
    assert next_due(store, CHAT) == START.replace(hour=23, minute=58) + timedelta(days=1)


@pytest.fixture
def down_overnight(store: Store, clock: FakeClock) -> Store:
    """CHAT subscribed for 09:00 UTC on START's day; the bot was down until the next day."""
    store.subscribe(CHAT, clock())
    return store


def test_missed_day_is_recorded_as_skipped(down_overnight: Store, clock: FakeClock) -> None:
    clock.set(TOMORROW_NINE + timedelta(hours=1))
    down_overnight.claim_due(clock(), LIMIT)
    delivery = down_overnight.delivery(CHAT, TODAY)
    assert delivery is not None
    assert (delivery.status, delivery.tip_id, delivery.attempts) == (
        DeliveryStatus.SKIPPED,
        None,
        0,
    )


def test_missed_day_is_not_claimed(down_overnight: Store, clock: FakeClock) -> None:
    clock.set(TOMORROW_NINE + timedelta(hours=1))
    claims = down_overnight.claim_due(clock(), LIMIT) + down_overnight.claim_due(clock(), LIMIT)
    assert TODAY not in [c.day for c in claims]


def test_after_a_missed_day_todays_passed_tip_is_claimed(
    down_overnight: Store, clock: FakeClock
) -> None:
    clock.set(TOMORROW_NINE + timedelta(hours=1))
    claims = down_overnight.claim_due(clock(), LIMIT) + down_overnight.claim_due(clock(), LIMIT)
    assert [(c.day, c.due_at) for c in claims] == [(TODAY + timedelta(days=1), TOMORROW_NINE)]


def test_after_a_missed_day_todays_tip_is_not_claimed_twice(
    down_overnight: Store, clock: FakeClock
) -> None:
    clock.set(TOMORROW_NINE + timedelta(hours=1))
    down_overnight.claim_due(clock(), LIMIT)
    down_overnight.claim_due(clock(), LIMIT)
    assert down_overnight.claim_due(clock(), LIMIT) == []


def test_after_a_missed_day_todays_tip_keeps_its_time_when_not_yet_passed(
    down_overnight: Store, clock: FakeClock
) -> None:
    clock.set(TOMORROW_NINE - timedelta(hours=1))
    assert down_overnight.claim_due(clock(), LIMIT) == []
    assert next_due(down_overnight, CHAT) == TOMORROW_NINE


def released_after_the_next_day(store: Store, clock: FakeClock) -> None:
    """CHAT's tip for TODAY is claimed but not sent; tomorrow's is sent; then the stale claim
    is released at 10:00 tomorrow, making CHAT due at TODAY's 09:00 again."""
    store.subscribe(CHAT, clock())
    stale = claim_one(store, NINE)
    store.mark_sent(claim_one(store, TOMORROW_NINE), 777, TOMORROW_NINE)
    clock.set(TOMORROW_NINE + timedelta(hours=1))
    store.release([stale], clock())


def test_missed_day_does_not_repeat_todays_sent_tip(store: Store, clock: FakeClock) -> None:
    released_after_the_next_day(store, clock)
    assert store.claim_due(clock(), LIMIT) + store.claim_due(clock(), LIMIT) == []
    assert next_due(store, CHAT) == TOMORROW_NINE + timedelta(days=1)


def test_deliveries_are_oldest_day_first(store: Store, clock: FakeClock) -> None:
    released_after_the_next_day(store, clock)
    store.claim_due(clock(), LIMIT)  # records TODAY as skipped, after tomorrow's row
    assert [(d.local_date, d.status) for d in store.deliveries(CHAT)] == [
        (TODAY, DeliveryStatus.SKIPPED),
        (TODAY + timedelta(days=1), DeliveryStatus.SENT),
    ]


def test_release_counts_released_claims(subscribed: Store, clock: FakeClock) -> None:
    claim = claim_one(subscribed, clock())
    assert subscribed.release([claim], clock()) == 1


def test_release_makes_the_subscriber_due_again_at_due_at(
    subscribed: Store, clock: FakeClock
) -> None:
    clock.advance(minutes=3)
    claim = claim_one(subscribed, clock())
    subscribed.release([claim], clock())
    assert next_due(subscribed, CHAT) == NINE


def test_release_deletes_the_claimed_row(subscribed: Store, clock: FakeClock) -> None:
    subscribed.release([claim_one(subscribed, clock())], clock())
    assert subscribed.delivery(CHAT, TODAY) is None


def test_released_claim_is_claimed_again_with_the_same_tip(
    subscribed: Store, clock: FakeClock
) -> None:
    first = claim_one(subscribed, clock())
    subscribed.release([first], clock())
    assert claim_one(subscribed, clock()) == first


def test_release_of_a_failed_day_claimed_again_puts_it_back_to_failed(
    subscribed: Store, clock: FakeClock
) -> None:
    subscribed.mark_failed(claim_one(subscribed, clock()), clock())
    clock.advance(minutes=5)
    subscribed.release([claim_one(subscribed, clock())], clock())
    delivery = subscribed.delivery(CHAT, TODAY)
    assert delivery is not None
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)


def test_release_of_a_failed_day_claimed_again_makes_the_retry_due_again(
    subscribed: Store, clock: FakeClock
) -> None:
    subscribed.mark_failed(claim_one(subscribed, clock()), clock())
    clock.advance(minutes=6)
    subscribed.release([claim_one(subscribed, clock())], clock())
    assert next_due(subscribed, CHAT) == NINE + RETRY_DELAY


@pytest.mark.parametrize(
    ("mark", "status"),
    [
        pytest.param(
            lambda s, c, now: s.mark_sending(c, now), DeliveryStatus.SENDING, id="sending"
        ),
        pytest.param(lambda s, c, now: s.mark_sent(c, 777, now), DeliveryStatus.SENT, id="sent"),
    ],
)
def test_release_keeps_claims_already_on_their_way(
    subscribed: Store,
    clock: FakeClock,
    mark: Callable[[Store, Claim, datetime], None],
    status: DeliveryStatus,
) -> None:
    claim = claim_one(subscribed, clock())
    mark(subscribed, claim, clock())
    assert subscribed.release([claim], clock()) == 0
    delivery = subscribed.delivery(CHAT, TODAY)
    assert delivery is not None
    assert (delivery.status, next_due(subscribed, CHAT)) == (status, TOMORROW_NINE)


def test_release_after_unsubscribing_schedules_nothing(subscribed: Store, clock: FakeClock) -> None:
    claim = claim_one(subscribed, clock())
    subscribed.unsubscribe(CHAT, clock())
    subscribed.release([claim], clock())
    assert next_due(subscribed, CHAT) is None


def test_recover_with_nothing_left_over_finds_nothing(subscribed: Store, clock: FakeClock) -> None:
    subscribed.mark_sent(claim_one(subscribed, clock()), 777, clock())
    assert subscribed.recover(clock()) == Recovery(released=0, uncertain=0)


def test_recover_releases_claimed_rows(subscribed: Store, clock: FakeClock) -> None:
    claim_one(subscribed, clock())
    assert subscribed.recover(clock()) == Recovery(released=1, uncertain=0)
    assert subscribed.delivery(CHAT, TODAY) is None


def test_recover_makes_released_subscribers_due_again(subscribed: Store, clock: FakeClock) -> None:
    clock.advance(minutes=3)
    claim_one(subscribed, clock())
    subscribed.recover(clock())
    assert next_due(subscribed, CHAT) == NINE


def test_recover_turns_sending_rows_into_uncertain(subscribed: Store, clock: FakeClock) -> None:
    subscribed.mark_sending(claim_one(subscribed, clock()), clock())
    assert subscribed.recover(clock()) == Recovery(released=0, uncertain=1)
    delivery = subscribed.delivery(CHAT, TODAY)
    assert delivery is not None
    assert delivery.status == DeliveryStatus.UNCERTAIN


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda s, now: s.set_time(CHAT, time(15, 0), now), id="later-time"),
        # 09:00 UTC is 23:00 the day before in Honolulu: TODAY's 09:00 there is still ahead.
        pytest.param(lambda s, now: s.set_timezone(CHAT, "Pacific/Honolulu", now), id="honolulu"),
    ],
)
def test_uncertain_day_is_never_claimed_again(
    subscribed: Store, clock: FakeClock, change: Callable[[Store, datetime], object]
) -> None:
    subscribed.mark_sending(claim_one(subscribed, clock()), clock())
    subscribed.recover(clock())
    change(subscribed, clock())
    claims = claims_until(subscribed, clock(), NINE + timedelta(days=2))
    assert TODAY not in [c.day for c in claims]


def test_time_change_after_an_uncertain_day_schedules_tomorrow(
    subscribed: Store, clock: FakeClock
) -> None:
    subscribed.mark_sending(claim_one(subscribed, clock()), clock())
    subscribed.recover(clock())
    subscriber = subscribed.set_time(CHAT, time(15, 0), clock())
    assert subscriber.next_due == START.replace(hour=15) + timedelta(days=1)


def test_recover_after_upgrade_releases_claims_left_by_the_old_version(tmp_path: Path) -> None:
    old_file(tmp_path / "old.db", "m003_pause_days_claims")
    upgraded = Store(tmp_path / "old.db")
    try:
        # The version before m003 claimed a day without recording when it was due.
        upgraded.db.table("deliveries").insert(
            {
                "chat_id": CHAT,
                "local_date": TODAY.isoformat(),
                "tip_id": "t",
                "status": "claimed",
                "attempts": 1,
                "updated_at": "x",
            }
        )
        upgraded.migrate()
        recovery = upgraded.recover(NINE + timedelta(minutes=1))
    finally:
        upgraded.close()
    assert recovery == Recovery(released=1, uncertain=0)


# The caution check ----------------------------------------------------------------------------


def test_caution_is_unanswered_for_a_new_chat(store: Store, clock: FakeClock) -> None:
    assert store.ensure(CHAT, clock()).caution is None


@pytest.mark.parametrize("value", list(Caution))
def test_set_caution_records_the_answer(store: Store, clock: FakeClock, value: Caution) -> None:
    assert store.set_caution(CHAT, value, clock()).caution is value


def test_set_caution_creates_the_chat(store: Store, clock: FakeClock) -> None:
    store.set_caution(CHAT, Caution.NONE, clock())
    subscriber = store.subscriber(CHAT)
    assert subscriber is not None and not subscriber.subscribed


def test_set_caution_none_forgets_the_answer(store: Store, clock: FakeClock) -> None:
    store.set_caution(CHAT, Caution.APPLIES, clock())
    assert store.set_caution(CHAT, None, clock()).caution is None


def test_set_caution_rejects_unknown_answers(store: Store, clock: FakeClock) -> None:
    with pytest.raises(ValueError):
        store.set_caution(CHAT, "maybe", clock())  # type: ignore[arg-type]


def test_set_caution_keeps_the_other_settings(store: Store, clock: FakeClock) -> None:
    before = store.subscribe(CHAT, clock())[0]
    after = store.set_caution(CHAT, Caution.CLEARED, clock())
    assert replace(after, caution=None) == before


def test_caution_survives_reopening_the_file(
    tmp_path: Path, store: Store, clock: FakeClock
) -> None:
    store.set_caution(CHAT, Caution.NONE, clock())
    again = Store(tmp_path / "test.db")
    try:
        kept = again.subscriber(CHAT)
    finally:
        again.close()
    assert kept is not None and kept.caution is Caution.NONE


def test_delete_chat_forgets_the_caution_answer(store: Store, clock: FakeClock) -> None:
    store.set_caution(CHAT, Caution.NONE, clock())
    store.delete_chat(CHAT)
    assert store.ensure(CHAT, clock()).caution is None


# Pauses and delivery days ----------------------------------------------------------------------


def row(store: Store, chat_id: int) -> dict[str, object]:
    """The subscriber's raw row, updated_at included."""
    found: dict[str, object] = store.db.table("subscribers").get(chat_id)
    return found


def test_pause_sets_resume_on_days_from_today(store: Store, clock: FakeClock) -> None:
    store.subscribe(CHAT, clock())
    assert store.pause(CHAT, 3, clock()).resume_on == TODAY + timedelta(days=3)


def test_pause_counts_days_from_the_local_date(store: Store, clock: FakeClock) -> None:
    store.set_timezone(CHAT, "Pacific/Honolulu", clock())  # 06:00 UTC is 20:00 the day before
    store.subscribe(CHAT, clock())
    assert store.pause(CHAT, 3, clock()).resume_on == TODAY + timedelta(days=2)


def test_paused_subscriber_is_not_claimed_during_the_pause(store: Store, clock: FakeClock) -> None:
    store.subscribe(CHAT, clock())
    store.pause(CHAT, 3, clock())
    resume_nine = NINE + timedelta(days=3)
    assert claims_until(store, clock(), resume_nine - timedelta(minutes=1)) == []


def test_paused_subscriber_is_due_on_resume_on_at_its_time(store: Store, clock: FakeClock) -> None:
    store.subscribe(CHAT, clock())
    store.pause(CHAT, 3, clock())
    claim = claim_one(store, NINE + timedelta(days=3))
    assert (claim.day, claim.due_at) == (TODAY + timedelta(days=3), NINE + timedelta(days=3))


def test_pause_until_resume_clears_next_due(store: Store, clock: FakeClock) -> None:
    store.subscribe(CHAT, clock())
    subscriber = store.pause(CHAT, None, clock())
    assert (subscriber.resume_on, subscriber.next_due) == (date.max, None)


def test_pause_until_resume_claims_nothing(store: Store, clock: FakeClock) -> None:
    store.subscribe(CHAT, clock())
    store.pause(CHAT, None, clock())
    assert store.claim_due(START + timedelta(days=400), LIMIT) == []


def test_resume_reports_the_chat_was_paused(store: Store, clock: FakeClock) -> None:
    store.subscribe(CHAT, clock())
    store.pause(CHAT, None, clock())
    subscriber, was_paused = store.resume(CHAT, clock())
    assert (subscriber.resume_on, was_paused) == (None, True)


def test_resume_when_not_paused_reports_no_pause(store: Store, clock: FakeClock) -> None:
    store.subscribe(CHAT, clock())
    assert store.resume(CHAT, clock())[1] is False


def test_resume_after_the_pause_ended_reports_no_pause(store: Store, clock: FakeClock) -> None:
    store.subscribe(CHAT, clock())
    store.pause(CHAT, 1, clock())
    assert store.resume(CHAT, clock() + timedelta(days=1))[1] is False


@pytest.mark.parametrize("days", [pytest.param(3, id="3-days"), pytest.param(None, id="forever")])
def test_resume_schedules_todays_tip(store: Store, clock: FakeClock, days: int | None) -> None:
    store.subscribe(CHAT, clock())
    store.pause(CHAT, days, clock())
    subscriber, _ = store.resume(CHAT, clock())
    assert subscriber.next_due == NINE


def test_resume_does_not_repeat_todays_sent_tip(subscribed: Store, clock: FakeClock) -> None:
    subscribed.mark_sent(claim_one(subscribed, clock()), 777, clock())
    subscribed.pause(CHAT, None, clock())
    subscriber, _ = subscribed.resume(CHAT, clock())
    assert subscriber.next_due == TOMORROW_NINE


def test_set_days_stores_the_mask(store: Store, clock: FakeClock) -> None:
    store.subscribe(CHAT, clock())
    assert store.set_days(CHAT, WEEKDAYS, clock()).days == WEEKDAYS


def test_new_chat_gets_tips_every_day(store: Store, clock: FakeClock) -> None:
    assert store.ensure(CHAT, clock()).days == EVERY_DAY


def test_set_weekdays_on_friday_after_the_tip_moves_the_next_tip_to_monday(
    store: Store, clock: FakeClock
) -> None:
    friday_nine = NINE + timedelta(days=1)
    assert friday_nine.weekday() == 4
    store.subscribe(CHAT, clock())
    clock.set(friday_nine)
    store.claim_due(NINE, LIMIT)  # Thursday's tip, so that Friday's is the next
    store.mark_sent(claim_one(store, clock()), 777, clock())
    subscriber = store.set_days(CHAT, WEEKDAYS, clock())
    assert subscriber.next_due == friday_nine + timedelta(days=3)


def test_weekdays_claims_nothing_at_the_weekend(store: Store, clock: FakeClock) -> None:
    store.subscribe(CHAT, clock())
    store.set_days(CHAT, WEEKDAYS, clock())
    claims = claims_until(store, clock(), NINE + timedelta(days=7))
    assert [c.day.weekday() for c in claims] == [3, 4, 0, 1, 2, 3]


@pytest.mark.parametrize(
    "mask",
    [
        pytest.param(0, id="no-day"),
        pytest.param(0b1000_0000, id="bit-7-only"),
        pytest.param(0b1111_1111, id="bit-7-and-every-day"),
        pytest.param(-1, id="negative"),
    ],
)
def test_set_days_bad_mask_raises_and_writes_nothing(
    store: Store, clock: FakeClock, mask: int
) -> None:
    store.subscribe(CHAT, clock())
    before = row(store, CHAT)
    clock.advance(minutes=1)
    with pytest.raises(ValueError):
        store.set_days(CHAT, mask, clock())
    assert row(store, CHAT) == before


@pytest.mark.parametrize(
    "days",
    [pytest.param(0, id="zero"), pytest.param(366, id="366"), pytest.param(-1, id="negative")],
)
def test_pause_bad_length_raises_and_writes_nothing(
    store: Store, clock: FakeClock, days: int
) -> None:
    store.subscribe(CHAT, clock())
    before = row(store, CHAT)
    clock.advance(minutes=1)
    with pytest.raises(ValueError):
        store.pause(CHAT, days, clock())
    assert row(store, CHAT) == before


@pytest.mark.parametrize("days", [pytest.param(1, id="1"), pytest.param(365, id="365")])
def test_pause_accepts_lengths_at_the_limits(store: Store, clock: FakeClock, days: int) -> None:
    store.subscribe(CHAT, clock())
    assert store.pause(CHAT, days, clock()).resume_on == TODAY + timedelta(days=days)


def test_release_after_pause_until_resume_claims_nothing(
    subscribed: Store, clock: FakeClock
) -> None:
    claim = claim_one(subscribed, clock())
    subscribed.pause(CHAT, None, clock())
    subscribed.release([claim], clock())
    assert subscribed.claim_due(clock() + timedelta(minutes=1), LIMIT) == []


def test_mark_failed_after_pause_gives_no_retry(subscribed: Store, clock: FakeClock) -> None:
    claim = claim_one(subscribed, clock())
    subscribed.pause(CHAT, None, clock())
    assert subscribed.mark_failed(claim, clock()) is None


def test_claim_due_looks_past_a_batch_of_missed_days(store: Store, clock: FakeClock) -> None:
    """After an outage, batches of only skipped days must not end the search early."""
    for chat_id in range(1, 26):
        store.subscribe(chat_id, clock())  # due 09:00 UTC on START's day
    clock.set(START + timedelta(days=2, hours=12))  # two days later, after 09:00
    claims = store.claim_due(clock(), limit=5)
    assert len(claims) == 5
    assert {claim.day for claim in claims} == {(START + timedelta(days=2)).date()}


def test_claim_due_after_an_outage_claims_todays_tip_in_one_call(
    store: Store, clock: FakeClock
) -> None:
    store.subscribe(CHAT, clock())
    clock.set(START + timedelta(days=1, hours=6))  # the next day, after 09:00
    (claim,) = store.claim_due(clock(), limit=200)
    assert claim.day == (START + timedelta(days=1)).date()


def test_checkpoint_from_another_thread_empties_the_wal(tmp_path: Path, clock: FakeClock) -> None:
    store = Store(tmp_path / "wal.db", autocheckpoint=False)
    try:
        store.migrate()
        for chat_id in range(1, 200):
            store.subscribe(chat_id, clock())
        wal = tmp_path / "wal.db-wal"
        assert wal.stat().st_size > 0
        with ThreadPoolExecutor(1) as pool:
            frames = pool.submit(store.checkpoint).result()
        assert frames > 0
        assert store.subscriber(199) is not None
    finally:
        store.close()


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


def test_forget_file_ids_drops_every_stored_id(store: Store, clock: FakeClock) -> None:
    store.set_file_id("en/overview", "photo-a-1", clock())
    store.set_file_id("zh/kneading", "photo-a-2", clock())
    assert store.forget_file_ids() == 2
    assert store.file_id("en/overview") is None and store.file_id("zh/kneading") is None
    assert store.forget_file_ids() == 0
