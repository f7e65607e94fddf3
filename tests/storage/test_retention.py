"""Retention and the counts that outlive it: the daily counts against a hand-counted log,
the rule for deleted rows (final outcomes stay counted), the window's edges, broadcasts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from content import Content
from storage import BroadcastStatus, DeliveryStatus, Store, retention
from storage.migrations import migrations
from tests.conftest import START, FakeClock

NINE = START.replace(hour=9)  # 2026-11-26 09:00 UTC, the default tip time


def summary(store: Store) -> dict[str, dict[str, int]]:
    """delivery_days as {date: {status: count}}, without zero counts."""
    found: dict[str, dict[str, int]] = {}
    for day, status, count in store.db.execute(
        "SELECT local_date, status, count FROM delivery_days WHERE count != 0 "
        "ORDER BY local_date, status"
    ).fetchall():
        found.setdefault(day, {})[status] = count
    return found


def raw(store: Store) -> dict[str, dict[str, int]]:
    """The delivery log's rows counted the slow way, in the same shape."""
    found: dict[str, dict[str, int]] = {}
    for day, status, count in store.db.execute(
        "SELECT local_date, status, count(*) FROM deliveries GROUP BY local_date, status "
        "ORDER BY local_date, status"
    ).fetchall():
        found.setdefault(day, {})[status] = count
    return found


def prune_all(store: Store, window: retention.Window, limit: int) -> tuple[int, int]:
    """Run the delivery batches until nothing is left; return (rows, batches)."""
    rows = batches = 0
    while deleted := store.prune_deliveries(window, limit):
        assert deleted <= limit
        rows, batches = rows + deleted, batches + 1
    return rows, batches


# The hand-counted log ------------------------------------------------------------------------

#: What happened, counted by hand (see ``live_a_few_days``): the figures /stats must show,
#: before and after the rows are deleted.
HAND_COUNTED = {
    # Chats 1-3 sent; 4 failed, then its retry was sent; 5 blocked the bot; 6 was being
    # sent when the bot crashed (uncertain).
    "2026-11-26": {"sent": 4, "blocked": 1, "uncertain": 1},
    # Five claims given back at a stop (not counted), claimed again and sent; chat 7
    # subscribed after the tip time and got its first tip at once; chat 1 then erased
    # its data (its row goes, its count stays).
    "2026-11-27": {"sent": 6},
    # The bot was down all day: one skipped day for each of the five chats due.
    "2026-11-28": {"skipped": 5},
    # Back up the next morning: today's tips for the same five, sent.
    "2026-11-29": {"sent": 5},
}


def live_a_few_days(store: Store, clock: FakeClock) -> None:
    """Drive the real store through four days of the daily tip (see HAND_COUNTED)."""
    for chat in range(1, 7):
        store.subscribe(chat, START)
    clock.set(NINE)
    claims = {claim.chat_id: claim for claim in store.claim_due(clock(), 10)}
    assert sorted(claims) == [1, 2, 3, 4, 5, 6]
    for chat in (1, 2, 3):
        assert store.mark_sending(claims[chat], clock())
        store.mark_sent(claims[chat], 100 + chat, clock())
    store.mark_sending(claims[4], clock())
    retry_at = store.mark_failed(claims[4], clock())
    assert retry_at is not None
    store.set_blocked(5, True, clock())
    store.mark_blocked(claims[5], clock())
    store.mark_sending(claims[6], clock())  # ... and the bot is killed here
    assert store.recover(clock()).uncertain == 1
    clock.set(retry_at)
    (retry,) = store.claim_due(clock(), 10)
    store.mark_sent(retry, 104, clock())

    clock.set(NINE + timedelta(days=1))
    claims_b = store.claim_due(clock(), 10)
    assert sorted(c.chat_id for c in claims_b) == [1, 2, 3, 4, 6]
    assert store.release(claims_b, clock()) == 5  # a stop before any was sent
    for claim in store.claim_due(clock(), 10):
        store.mark_sent(claim, 200 + claim.chat_id, clock())
    clock.set(NINE + timedelta(days=1, hours=1))
    store.subscribe(7, clock())
    store.take_first_tip(7, clock())
    assert store.delete_chat(1) > 0

    # Nothing runs on 11-28; the bot is back on 11-29 at 10:00.
    clock.set(NINE + timedelta(days=3, hours=1))
    claims_d = store.claim_due(clock(), 10)
    assert sorted(c.chat_id for c in claims_d) == [2, 3, 4, 6, 7]
    for claim in claims_d:
        assert claim.day == date(2026, 11, 29)
        store.mark_sent(claim, 400 + claim.chat_id, clock())


def test_the_daily_counts_match_a_hand_counted_log_before_and_after_retention(
    store: Store, clock: FakeClock
) -> None:
    live_a_few_days(store, clock)
    assert summary(store) == HAND_COUNTED
    # The log itself lacks only the two rows chat 1 erased.
    assert raw(store) == {
        **HAND_COUNTED,
        "2026-11-26": {"sent": 3, "blocked": 1, "uncertain": 1},
        "2026-11-27": {"sent": 5},
    }

    later = datetime(2026, 12, 5, 12, tzinfo=UTC)
    window = retention.Window(later, keep_days=7)
    assert window.first_kept == date(2026, 11, 29)
    rows, batches = prune_all(store, window, limit=2)
    assert (rows, batches) == (5 + 5 + 5, 8)  # two at a time
    assert raw(store) == {"2026-11-29": {"sent": 5}}
    assert summary(store) == HAND_COUNTED

    # /stats and `backcare-bot stats` read the counts: the deleted days are all there.
    figures = store.stats(later, days=10)
    by_day = {day.day.isoformat(): day for day in figures.days}
    assert (by_day["2026-11-26"].sent, by_day["2026-11-26"].blocked) == (4, 1)
    assert by_day["2026-11-27"].sent == 6
    assert by_day["2026-11-28"].sent == 0
    assert by_day["2026-11-29"].sent == 5
    assert sum(day.sent for day in figures.days) == 15

    # A second pass finds nothing; a wider window deletes the rest, and the counts stay.
    assert prune_all(store, window, limit=2) == (0, 0)
    assert prune_all(store, retention.Window(later + timedelta(days=1), 7), 100) == (5, 1)
    assert summary(store) == HAND_COUNTED


def test_today_in_the_counts_shows_what_is_on_its_way(store: Store, clock: FakeClock) -> None:
    for chat in (1, 2, 3):
        store.subscribe(chat, START)
    clock.set(NINE)
    first, second, third = store.claim_due(clock(), 10)
    store.mark_sending(first, clock())
    store.mark_sent(second, 1, clock())
    today = store.stats(clock()).deliveries_today
    assert (today.in_flight, today.sent, today.total) == (2, 1, 3)
    store.release([third], clock())
    assert store.stats(clock()).deliveries_today.in_flight == 1


# The rule for deleted rows, over every status ----------------------------------------------


@pytest.mark.parametrize("status", list(DeliveryStatus))
def test_a_deleted_delivery_row_stays_counted_only_if_its_outcome_is_final(
    store: Store, status: DeliveryStatus
) -> None:
    store.db.execute(
        "INSERT INTO deliveries (chat_id, local_date, status, attempts, updated_at) "
        "VALUES (1, '2026-01-01', ?, 1, 'x')",
        [status.value],
    )
    assert summary(store) == {"2026-01-01": {status.value: 1}}
    store.db.execute("DELETE FROM deliveries")
    on_its_way = status in (DeliveryStatus.CLAIMED, DeliveryStatus.SENDING)
    assert summary(store) == ({} if on_its_way else {"2026-01-01": {status.value: 1}})


@pytest.mark.parametrize("status", list(BroadcastStatus))
def test_a_deleted_broadcast_copy_stays_counted_only_if_its_outcome_is_final(
    store: Store, clock: FakeClock, status: BroadcastStatus
) -> None:
    store.subscribe(1, clock())
    started = store.start_broadcast(99, 5, 99, clock())
    assert started is not None
    store.mark_copy(started.id, 1, status, clock())
    store.delete_chat(1)
    on_its_way = status in (BroadcastStatus.PENDING, BroadcastStatus.SENDING)
    counts = store.broadcast_counts(started.id)
    assert counts[status] == (0 if on_its_way else 1)
    assert sum(counts.values()) == (0 if on_its_way else 1)


def test_the_migration_counts_the_log_it_finds(
    tmp_path: Path, content: Content, clock: FakeClock
) -> None:
    old = Store(tmp_path / "old.db")
    migrations.apply(old.db, stop_before="m012_summaries")
    for chat, status in ((1, "sent"), (2, "failed")):  # as that version wrote them
        old.db.execute(
            "INSERT INTO deliveries (chat_id, local_date, tip_id, status, attempts, updated_at) "
            "VALUES (?, '2026-11-26', 'x', ?, 1, 'x')",
            [chat, status],
        )
    old.close()
    store = Store(tmp_path / "old.db")
    try:
        assert store.migrate()[0] == "m012_summaries"
        assert summary(store) == {"2026-11-26": {"failed": 1, "sent": 1}}
    finally:
        store.close()


# The window -----------------------------------------------------------------------------------


def test_the_window_keeps_keep_days_dates_counted_back_from_today_utc() -> None:
    window = retention.Window(datetime(2026, 11, 30, 23, 59, tzinfo=UTC), 90)
    assert window.first_kept == date(2026, 9, 2)
    assert (date(2026, 11, 30) - window.first_kept).days + 1 == 90
    with pytest.raises(ValueError, match="at least 7"):
        retention.Window(START, retention.MIN_KEEP_DAYS - 1)


def test_rows_of_the_first_kept_date_and_later_stay(store: Store, clock: FakeClock) -> None:
    store.subscribe(1, START)
    clock.set(NINE)
    (claim,) = store.claim_due(clock(), 10)
    store.mark_sent(claim, 1, clock())
    on_the_edge = retention.Window(NINE + timedelta(days=6), 7)
    assert on_the_edge.first_kept == date(2026, 11, 26)
    assert store.prune_deliveries(on_the_edge, 100) == 0
    past_it = retention.Window(NINE + timedelta(days=7), 7)
    assert store.prune_deliveries(past_it, 100) == 1


# Broadcasts -----------------------------------------------------------------------------------


def test_a_broadcast_loses_its_rows_keep_days_after_it_ended_and_keeps_its_counts(
    store: Store, clock: FakeClock
) -> None:
    for chat in range(1, 8):
        store.subscribe(chat, clock())
    old = store.start_broadcast(99, 1, 99, clock())
    running = store.start_broadcast(99, 2, 99, clock())
    assert old is not None and running is not None
    statuses = [BroadcastStatus.SENT] * 4 + [BroadcastStatus.BLOCKED, BroadcastStatus.FAILED]
    for chat, status in zip(range(1, 7), statuses, strict=True):
        store.mark_copy(old.id, chat, status, clock())
    store.cancel_broadcast(old.id, clock())  # chat 7's copy
    store.finish_broadcast(old.id, clock())
    before = store.broadcast_counts(old.id)
    assert before[BroadcastStatus.SENT] == 4 and before[BroadcastStatus.CANCELLED] == 1

    not_yet = retention.Window(clock() + timedelta(days=6, hours=23), 7)
    assert store.prune_broadcasts(not_yet, 100) == 0
    window = retention.Window(clock() + timedelta(days=7, seconds=1), 7)
    deleted = []
    while batch := store.prune_broadcasts(window, 3):
        deleted.append(batch)
    assert deleted == [3, 3, 1]
    assert store.broadcast_counts(old.id) == before
    (left,) = store.db.execute(
        "SELECT count(*) FROM broadcast_deliveries WHERE broadcast_id = ?", [old.id]
    ).fetchone()
    assert left == 0
    # The unfinished one is never touched, however old.
    assert store.prune_broadcasts(retention.Window(clock() + timedelta(days=999), 7), 9) == 0
    assert store.broadcast_counts(running.id)[BroadcastStatus.PENDING] == 7


def test_size_counts_rows_and_pages_in_use(store: Store, clock: FakeClock) -> None:
    empty = store.size()
    assert (empty.deliveries, empty.broadcast_copies) == (0, 0)
    for chat in range(1, 400):
        store.subscribe(chat, START)
    clock.set(NINE)
    for claim in store.claim_due(clock(), 500):
        store.mark_sent(claim, 1, clock())
    full = store.size()
    assert full.deliveries == 399 and full.bytes_used > empty.bytes_used
    prune_all(store, retention.Window(NINE + timedelta(days=30), 7), 100)
    pruned = store.size()
    assert pruned.deliveries == 0 and pruned.bytes_used < full.bytes_used
