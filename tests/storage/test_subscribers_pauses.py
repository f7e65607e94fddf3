"""The SQLite store, one section of what was test_store.py: Pauses and delivery days."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import pytest

from storage import Store
from storage.rules.schedule import EVERY_DAY, WEEKDAYS
from tests.conftest import START, FakeClock
from tests.storage.store_common import (
    CHAT,
    LIMIT,
    NINE,
    TODAY,
    TOMORROW_NINE,
    claim_one,
    claims_until,
    row,
)

# Pauses and delivery days ----------------------------------------------------------------------


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
