"""The SQLite store, one section of what was test_store.py: The daily delivery: claims, sends,
failures, retries and recovery."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from content import Content
from storage import Claim, DeliveryStatus, Recovery, Store
from storage.deliveries import MAX_ATTEMPTS, RETRY_DELAY
from tests.conftest import START, FakeClock
from tests.storage.store_common import (
    CHAT,
    LIMIT,
    NINE,
    TODAY,
    TOMORROW_NINE,
    claim_one,
    claims_until,
    next_due,
    old_file,
    subscribe_at,
)

# Daily delivery --------------------------------------------------------------------------------


def stored_due_at(store: Store, chat_id: int, day: date) -> int | None:
    due_at: int | None = store.db.table("deliveries").get((chat_id, day.isoformat()))["due_at"]
    return due_at


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
