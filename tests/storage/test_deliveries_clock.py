"""The store driven by a clock through whole nights: daylight-saving changes, and changes
of timezone or time of day, give at most one claim per local day at the right instant."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import pytest

from storage import Claim, Store
from storage.rules.schedule import resolve
from tests.conftest import START, FakeClock

CHAT = 42
LIMIT = 100
STEP = timedelta(minutes=5)
TODAY = START.date()
#: The default tip time (09:00) on START's day, in UTC (the default timezone).
NINE = START.replace(hour=9)


def run(store: Store, clock: FakeClock, until: datetime) -> list[tuple[datetime, Claim]]:
    """Step the clock to ``until`` calling claim_due, marking each claim sent.

    Returns:
        Each claim with the instant it was claimed.
    """
    claimed: list[tuple[datetime, Claim]] = []
    while clock() <= until:
        for claim in store.claim_due(clock(), LIMIT):
            claimed.append((clock(), claim))
            store.mark_sent(claim, len(claimed), clock())
        clock.advance(seconds=STEP.total_seconds())
    return claimed


def local_midnight(day: date, zone_name: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=resolve(zone_name)).astimezone(UTC)


def night_of(
    store: Store, clock: FakeClock, zone_name: str, day: date, at: time
) -> list[tuple[datetime, Claim]]:
    """Subscribe CHAT for ``at`` in ``zone_name`` at local midnight the day before ``day``;
    run the clock to local midnight the day after, claiming and sending as tips come due."""
    clock.set(local_midnight(day - timedelta(days=1), zone_name))
    store.set_timezone(CHAT, zone_name, clock())
    store.set_time(CHAT, at, clock())
    store.subscribe(CHAT, clock())
    return run(store, clock, local_midnight(day + timedelta(days=2), zone_name))


def per_local_day(claimed: list[tuple[datetime, Claim]]) -> Counter[date]:
    return Counter(claim.day for _, claim in claimed)


def claimed_on(claimed: list[tuple[datetime, Claim]], day: date) -> list[datetime]:
    return [when for when, claim in claimed if claim.day == day]


# Clocks spring forward: 02:00-03:00 local does not exist that day --------------------------

SPRING_FORWARD = [
    pytest.param(
        "Europe/Berlin",
        date(2026, 3, 29),
        time(2, 30),
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),  # 03:00 CEST
        id="berlin-02:30",
    ),
    pytest.param(
        "Europe/Berlin",
        date(2026, 3, 29),
        time(2, 0),
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
        id="berlin-02:00",
    ),
    pytest.param(
        "America/New_York",
        date(2026, 3, 8),
        time(2, 30),
        datetime(2026, 3, 8, 7, 0, tzinfo=UTC),  # 03:00 EDT
        id="new-york-02:30",
    ),
    pytest.param(
        "Australia/Sydney",
        date(2026, 10, 4),
        time(2, 30),
        datetime(2026, 10, 3, 16, 0, tzinfo=UTC),  # 03:00 AEDT
        id="sydney-02:30",
    ),
]


@pytest.mark.parametrize(("zone", "day", "at", "expected"), SPRING_FORWARD)
def test_time_in_the_skipped_hour_gets_one_claim_per_local_day(
    store: Store, clock: FakeClock, zone: str, day: date, at: time, expected: datetime
) -> None:
    claimed = night_of(store, clock, zone, day, at)
    assert per_local_day(claimed) == {
        day - timedelta(days=1): 1,
        day: 1,
        day + timedelta(days=1): 1,
    }


@pytest.mark.parametrize(("zone", "day", "at", "expected"), SPRING_FORWARD)
def test_time_in_the_skipped_hour_is_claimed_at_the_first_minute_after_the_gap(
    store: Store, clock: FakeClock, zone: str, day: date, at: time, expected: datetime
) -> None:
    claimed = night_of(store, clock, zone, day, at)
    assert claimed_on(claimed, day) == [expected]
    assert expected.astimezone(resolve(zone)).time() == time(3, 0)


@pytest.mark.parametrize(("zone", "day", "at", "expected"), SPRING_FORWARD)
def test_time_in_the_skipped_hour_is_back_to_normal_the_next_day(
    store: Store, clock: FakeClock, zone: str, day: date, at: time, expected: datetime
) -> None:
    claimed = night_of(store, clock, zone, day, at)
    [when] = claimed_on(claimed, day + timedelta(days=1))
    assert when.astimezone(resolve(zone)).time() == at


# Clocks fall back: an hour of local time happens twice that day ----------------------------

FALL_BACK = [
    pytest.param(
        "Europe/Berlin",
        date(2026, 10, 25),
        time(2, 30),
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # 02:30 CEST; again at 01:30 UTC (CET)
        id="berlin-02:30",
    ),
    pytest.param(
        "Europe/Berlin",
        date(2026, 10, 25),
        time(2, 0),
        datetime(2026, 10, 25, 0, 0, tzinfo=UTC),
        id="berlin-02:00",
    ),
    pytest.param(
        "America/New_York",
        date(2026, 11, 1),
        time(1, 30),
        datetime(2026, 11, 1, 5, 30, tzinfo=UTC),  # 01:30 EDT; again at 06:30 UTC (EST)
        id="new-york-01:30",
    ),
    pytest.param(
        "Australia/Sydney",
        date(2026, 4, 5),
        time(2, 30),
        datetime(2026, 4, 4, 15, 30, tzinfo=UTC),  # 02:30 AEDT; again at 16:30 UTC (AEST)
        id="sydney-02:30",
    ),
]


@pytest.mark.parametrize(("zone", "day", "at", "expected"), FALL_BACK)
def test_time_in_the_repeated_hour_gets_one_claim_per_local_day(
    store: Store, clock: FakeClock, zone: str, day: date, at: time, expected: datetime
) -> None:
    claimed = night_of(store, clock, zone, day, at)
    assert per_local_day(claimed) == {
        day - timedelta(days=1): 1,
        day: 1,
        day + timedelta(days=1): 1,
    }


@pytest.mark.parametrize(("zone", "day", "at", "expected"), FALL_BACK)
def test_time_in_the_repeated_hour_is_claimed_the_first_time(
    store: Store, clock: FakeClock, zone: str, day: date, at: time, expected: datetime
) -> None:
    claimed = night_of(store, clock, zone, day, at)
    assert claimed_on(claimed, day) == [expected]
    second = (expected + timedelta(hours=1)).astimezone(resolve(zone))
    assert (second.time(), second.fold) == (at, 1)  # the hour really does repeat


@pytest.mark.parametrize(("zone", "day", "at", "expected"), FALL_BACK)
def test_time_in_the_repeated_hour_is_not_retried_the_second_time(
    store: Store, clock: FakeClock, zone: str, day: date, at: time, expected: datetime
) -> None:
    # The first attempt fails for good; the second occurrence must not claim the day again.
    clock.set(local_midnight(day, zone))
    store.set_timezone(CHAT, zone, clock())
    store.set_time(CHAT, at, clock())
    store.subscribe(CHAT, clock())
    clock.set(expected)
    [claim] = store.claim_due(clock(), LIMIT)
    assert store.mark_failed(claim, clock(), retry=False) is None
    clock.advance(minutes=1)
    assert run(store, clock, expected + timedelta(hours=2)) == []


# Changing the timezone or the time of day ---------------------------------------------------


@pytest.mark.parametrize(
    "zone",
    [
        pytest.param("America/New_York", id="new-york-04:00"),
        pytest.param("America/Los_Angeles", id="los-angeles-01:00"),
        pytest.param("Pacific/Honolulu", id="honolulu-23:00-the-day-before"),
        pytest.param("UTC-05:00", id="utc-5-04:00"),
        pytest.param("Asia/Tokyo", id="tokyo-18:00"),
        pytest.param("Pacific/Kiritimati", id="kiritimati-23:00"),
    ],
)
def test_timezone_change_after_the_tip_gives_no_second_claim_for_a_local_date(
    store: Store, clock: FakeClock, zone: str
) -> None:
    store.subscribe(CHAT, clock())
    clock.set(NINE)
    [claim] = store.claim_due(clock(), LIMIT)
    store.mark_sent(claim, 1, clock())
    clock.advance(minutes=1)
    store.set_timezone(CHAT, zone, clock())
    claimed = run(store, clock, NINE + timedelta(days=1))
    days = [claim.day, *(later.day for _, later in claimed)]
    assert len(days) == len(set(days)), days


def test_timezone_change_to_a_zone_behind_claims_nothing_the_rest_of_the_utc_day(
    store: Store, clock: FakeClock
) -> None:
    store.subscribe(CHAT, clock())
    clock.set(NINE)
    [claim] = store.claim_due(clock(), LIMIT)
    store.mark_sent(claim, 1, clock())
    store.set_timezone(CHAT, "America/New_York", clock())  # 04:00 there, same date
    assert run(store, clock, START.replace(hour=23, minute=59)) == []


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        pytest.param("UTC", NINE.replace(hour=15), id="utc"),
        pytest.param("Europe/Berlin", NINE.replace(hour=14), id="berlin"),
    ],
)
def test_time_change_to_later_today_before_the_tip_gives_one_claim_at_the_new_time(
    store: Store, clock: FakeClock, zone: str, expected: datetime
) -> None:
    store.set_timezone(CHAT, zone, clock())
    store.subscribe(CHAT, clock())
    clock.advance(hours=1)
    store.set_time(CHAT, time(15, 0), clock())
    claimed = run(store, clock, START.replace(hour=22, minute=59))
    assert [(when, claim.day) for when, claim in claimed] == [(expected, TODAY)]


def test_time_change_to_later_today_after_the_tip_gives_no_second_claim(
    store: Store, clock: FakeClock
) -> None:
    store.subscribe(CHAT, clock())
    clock.set(NINE)
    [claim] = store.claim_due(clock(), LIMIT)
    store.mark_sent(claim, 1, clock())
    clock.advance(hours=1)
    store.set_time(CHAT, time(15, 0), clock())
    assert run(store, clock, START.replace(hour=23, minute=59)) == []


def test_time_change_to_earlier_today_before_the_tip_claims_tomorrow(
    store: Store, clock: FakeClock
) -> None:
    store.subscribe(CHAT, clock())
    clock.set(NINE - timedelta(hours=1))
    store.set_time(CHAT, time(7, 0), clock())  # already passed today
    claimed = run(store, clock, NINE + timedelta(days=1))
    assert [(when, claim.day) for when, claim in claimed] == [
        (START.replace(hour=7) + timedelta(days=1), TODAY + timedelta(days=1))
    ]
