"""Operators' figures: the counts match what was done to the database."""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from content import Content
from storage import (
    FLAG_MIN_ANSWERS,
    DeliveryCounts,
    Participation,
    Stats,
    Store,
    SubscriberCounts,
    TipFeedback,
    Window,
    schedule,
)
from storage.migrations import m021_tip_library, migrations
from tests.conftest import FakeClock

TODAY = date(2026, 11, 26)
#: When the figures are taken: 11:00 UTC, already the 27th on Kiritimati (UTC+14).
NOW = datetime(2026, 11, 26, 11, 0, tzinfo=UTC)


def at(day: date, hour: int, second: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, second, tzinfo=UTC)


def deliver_three_days(store: Store) -> None:
    """Chats 1–6 subscribed two days ago; every day's tip went out, chat 6's always failed.

    Today chat 3's failed, chat 4's is being sent and chat 5's is only claimed.
    """
    start = TODAY - timedelta(days=2)
    for chat_id in range(1, 7):
        store.subscribe(chat_id, at(start, 6))
    for back in (2, 1, 0):
        now = at(TODAY - timedelta(days=back), 9, 1)
        claims = {claim.chat_id: claim for claim in store.claim_due(now, 100)}
        assert sorted(claims) == [1, 2, 3, 4, 5, 6]
        failing = {6} if back else {3}
        for chat_id, claim in claims.items():
            if chat_id in failing:
                store.mark_failed(claim, now, retry=False)
            elif back or chat_id in (1, 2, 6):
                store.mark_sent(claim, 1000 + chat_id, now)
            elif chat_id == 4:
                store.mark_sending(claim, now)


def change_subscriptions(store: Store) -> None:
    """Pause, block and unsubscribe some chats after today's tips, and add a few."""
    now = at(TODAY, 9, 5)
    store.pause(2, 3, now)
    store.set_blocked(3, True, now)
    store.unsubscribe(6, now)
    store.ensure(7, now)  # known, never subscribed
    # Paused for one day at 23:00 local on Kiritimati: over by NOW on their clock, not on UTC's.
    store.subscribe(8, now)
    store.set_timezone(8, "Pacific/Kiritimati", now)
    store.pause(8, 1, now)
    store.subscribe(9, now)
    store.pause(9, None, now)  # until /resume
    store.subscribe(10, now)
    store.set_blocked(10, True, now)
    store.unsubscribe(10, now)


def check_in(store: Store) -> None:
    store.check_in(1, 3, at(TODAY - timedelta(days=2), 10))
    store.check_in(1, 4, at(TODAY, 10))
    store.check_in(2, 5, at(TODAY - timedelta(days=1), 10))  # paused since
    store.check_in(4, 6, at(TODAY, 10))
    store.check_in(7, 2, at(TODAY - timedelta(days=20), 10))  # this month, not this week
    store.check_in(6, 5, at(TODAY - timedelta(days=40), 10))  # before the month
    store.check_in(8, 1, NOW)  # dated the 27th, Kiritimati's today


def give_feedback(store: Store, content: Content, answers: dict[int, tuple[int, int]]) -> None:
    """``answers``: tip index -> (helpful, not helpful), each answer from its own chat."""
    chat_id = 1000
    stamp = NOW.isoformat()
    for index, (helpful, not_helpful) in answers.items():
        for value in [1] * helpful + [0] * not_helpful:
            chat_id += 1
            store.db.execute(
                "INSERT INTO feedback (chat_id, tip_id, helpful, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?)",
                [chat_id, content.tips[index].id, value, stamp, stamp],
            )


@pytest.fixture
def stats(store: Store, content: Content) -> Stats:
    deliver_three_days(store)
    change_subscriptions(store)
    check_in(store)
    give_feedback(store, content, {0: (1, 4), 1: (2, 2), 2: (3, 3), 3: (9, 1)})
    return store.stats(NOW)


def test_subscribers_by_state(stats: Stats) -> None:
    assert stats.subscribers == SubscriberCounts(active=4, paused=2, blocked=1, unsubscribed=3)
    assert stats.subscribers.total == 10


def test_subscribers_match_the_table(store: Store, stats: Stats) -> None:
    (known,) = store.db.execute("SELECT count(*) FROM subscribers").fetchone()

    assert stats.subscribers.total == known


def test_todays_deliveries_by_status(stats: Stats) -> None:
    assert stats.today == TODAY
    assert stats.deliveries_today == DeliveryCounts(
        sent=3, failed=1, skipped=0, uncertain=0, in_flight=2
    )


def test_todays_deliveries_match_the_log(store: Store, stats: Stats) -> None:
    (rows,) = store.db.execute(
        "SELECT count(*) FROM deliveries WHERE local_date = ?", [TODAY.isoformat()]
    ).fetchone()

    assert stats.deliveries_today.total == rows


def test_each_day_of_the_window(stats: Stats) -> None:
    assert len(stats.days) == 30
    assert stats.days[0].day == TODAY - timedelta(days=29)
    by_day = {day.day: (day.sent, day.failed, day.checkins) for day in stats.days}
    assert by_day[TODAY - timedelta(days=2)] == (5, 1, 1)
    assert by_day[TODAY - timedelta(days=1)] == (5, 1, 1)
    assert by_day[TODAY] == (3, 1, 2)
    assert by_day[TODAY - timedelta(days=20)] == (0, 0, 1)
    assert sum(day.sent for day in stats.days) == 13
    assert sum(day.checkins for day in stats.days) == 5  # not the 40-day-old one, nor the 27th


def test_feedback_most_disliked_first(stats: Stats, content: Content) -> None:
    ids = [tip.id for tip in content.tips]

    assert stats.feedback == (
        TipFeedback(ids[0], helpful=1, not_helpful=4),
        TipFeedback(ids[2], helpful=3, not_helpful=3),
        TipFeedback(ids[1], helpful=2, not_helpful=2),
        TipFeedback(ids[3], helpful=9, not_helpful=1),
    )
    assert [tip.tip_id for tip in stats.flagged] == [ids[0], ids[2]]


def test_checkin_participation(stats: Stats) -> None:
    assert stats.checkins == Participation(
        chats_recent=4,  # 1, 2, 4 and 8 (on its own date, a day ahead of UTC)
        chats_month=5,  # and 7
        active_recent=3,  # 1, 4 and 8: 2 is paused
        active=4,
    )
    assert stats.checkins.active_share == 0.75


@pytest.mark.parametrize(
    ("helpful", "not_helpful", "flagged"),
    [
        pytest.param(2, 3, True, id="five-answers-most-not-for-me"),
        pytest.param(3, 3, True, id="exactly-half"),
        pytest.param(0, FLAG_MIN_ANSWERS - 1, False, id="too-few-answers"),
        pytest.param(4, 3, False, id="under-half"),
        pytest.param(0, 0, False, id="no-answers"),
    ],
)
def test_flagged_tips(helpful: int, not_helpful: int, flagged: bool) -> None:
    assert TipFeedback("tip", helpful, not_helpful).flagged is flagged


def test_an_empty_database_counts_nothing(store: Store) -> None:
    stats = store.stats(NOW, days=7)

    assert stats.subscribers == SubscriberCounts(0, 0, 0, 0)
    assert stats.deliveries_today == DeliveryCounts()
    assert [day.day for day in stats.days] == [TODAY - timedelta(days=n) for n in range(6, -1, -1)]
    assert all((day.sent, day.failed, day.checkins) == (0, 0, 0) for day in stats.days)
    assert stats.feedback == ()
    assert stats.checkins == Participation(0, 0, 0, 0)
    assert stats.checkins.active_share == 0.0


def test_a_window_of_no_days_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="days"):
        store.stats(NOW, days=0)


# One rule for "paused": by each chat's local date, in /stats, /broadcast and the schedule ----


@pytest.mark.parametrize(
    ("zone", "resume_in_days", "paused"),
    [
        # 2026-11-26 06:00 UTC is already 2026-11-26 20:00 in Kiritimati (UTC+14), but still
        # 2026-11-25 22:00 in Los Angeles (UTC-8): the UTC date is wrong for both.
        pytest.param("Pacific/Kiritimati", 0, False, id="ended-today-ahead-of-utc"),
        pytest.param("America/Los_Angeles", 0, True, id="ends-tomorrow-behind-utc"),
        pytest.param("UTC", 1, True, id="ends-tomorrow"),
        pytest.param("UTC", 0, False, id="ended-today"),
    ],
)
def test_stats_broadcast_and_the_subscriber_agree_on_paused(
    tmp_path: Path, content: Content, clock: FakeClock, zone: str, resume_in_days: int, paused: bool
) -> None:
    db = Store(tmp_path / "paused.db")
    db.migrate()
    db.subscribe(1, clock())  # never paused
    db.subscribe(2, clock())
    db.set_timezone(2, zone, clock())
    resume_on = clock().date() + timedelta(days=resume_in_days)
    db.db.execute("UPDATE subscribers SET resume_on = ? WHERE chat_id = 2", [resume_on.isoformat()])
    subscriber = db.subscriber(2)
    assert subscriber is not None and subscriber.paused_at(clock()) is paused
    active = 1 if paused else 2
    assert db.stats(clock()).subscribers.active == active
    assert db.active_subscribers(clock()) == active
    broadcast = db.start_broadcast(99, 1, 99, clock())
    assert broadcast is not None and broadcast.recipients == active
    assert sorted(db.broadcast_pending(broadcast.id, 10)) == ([1] if paused else [1, 2])


# m020: the counts /stats reads are kept by triggers; each writer keeps them exact ----------


def kept(store: Store) -> dict[str, Counter[tuple[object, ...]]]:
    """The tables m019's triggers keep, as counters (a key counted 0 times is no key)."""
    db = store.db
    return {
        "subscribers": Counter(
            {tuple(key): n for *key, n in db.execute("SELECT * FROM subscriber_counts") if n}
        ),
        "checkin_days": Counter({d: n for d, n in db.execute("SELECT * FROM checkin_days") if n}),
        "last_checkin": Counter(
            {d: n for d, n in db.execute("SELECT * FROM checkin_last_days") if n}
        ),
        "feedback": Counter(
            {
                (tip, True): helpful
                for tip, helpful, _ in db.execute("SELECT * FROM feedback_counts")
                if helpful
            }
            | {
                (tip, False): not_helpful
                for tip, _, not_helpful in db.execute("SELECT * FROM feedback_counts")
                if not_helpful
            }
        ),
    }


def recount(store: Store) -> dict[str, Counter[tuple[object, ...]]]:
    """The same, counted from the rows themselves, in Python."""
    db = store.db
    last = dict(db.execute("SELECT chat_id, max(local_date) FROM checkins GROUP BY chat_id"))
    subscribers: Counter[tuple[object, ...]] = Counter()
    for chat_id, subscribed, blocked, zone, resume_on in db.execute(
        "SELECT chat_id, subscribed, blocked, timezone, resume_on FROM subscribers"
    ):
        if not subscribed:
            subscribers["unsubscribed", "", "", ""] += 1
        elif blocked:
            subscribers["blocked", "", "", ""] += 1
        else:
            pause = (zone, resume_on) if resume_on else ("", "")
            subscribers["live", *pause, last.get(chat_id, "")] += 1
    answers = db.execute("SELECT tip_id, helpful FROM feedback").fetchall()
    return {
        "subscribers": subscribers,
        "checkin_days": Counter(d for (d,) in db.execute("SELECT local_date FROM checkins")),
        "last_checkin": Counter(last.values()),
        "feedback": Counter((tip, bool(helpful)) for tip, helpful in answers),
    }


def test_counts_stay_exact_through_every_writer(store: Store, content: Content) -> None:
    tip = content.tips[0].id
    now = at(TODAY, 9)
    steps = [
        ("subscribe", lambda: [store.subscribe(c, now) for c in range(1, 8)]),
        ("ensure", lambda: store.ensure(20, now)),
        ("check-in", lambda: store.check_in(1, 4, now)),
        ("check-in, same day again", lambda: store.check_in(1, 6, now)),
        ("check-in, earlier day", lambda: store.check_in(1, 2, now - timedelta(days=3))),
        ("check-in, later day", lambda: store.check_in(1, 3, now + timedelta(days=1))),
        ("check-in, not subscribed", lambda: store.check_in(20, 5, now)),
        ("check-ins, others", lambda: [store.check_in(c, c, now) for c in (2, 3, 4)]),
        ("pause", lambda: store.pause(2, 3, now)),
        ("pause until /resume", lambda: store.pause(3, None, now)),
        ("timezone while paused", lambda: store.set_timezone(2, "Asia/Tokyo", now)),
        ("timezone", lambda: store.set_timezone(4, "Europe/Berlin", now)),
        ("resume", lambda: store.resume(3, now)),
        ("block", lambda: store.set_blocked(4, True, now)),
        ("block while paused", lambda: store.set_blocked(2, True, now)),
        ("unblock", lambda: store.set_blocked(4, False, now)),
        ("unsubscribe", lambda: store.unsubscribe(5, now)),
        ("subscribe again", lambda: store.subscribe(5, now)),
        ("feedback", lambda: store.set_feedback(1, tip, True, now)),
        ("feedback changed", lambda: store.set_feedback(1, tip, False, now)),
        ("feedback, another", lambda: store.set_feedback(2, tip, True, now)),
        ("/deletedata, a chat with everything", lambda: store.delete_chat(1)),
        ("/deletedata, a paused, blocked chat", lambda: store.delete_chat(2)),
        ("/deletedata, an unknown chat", lambda: store.delete_chat(99)),
        (
            "retention",
            lambda: store.prune_deliveries(Window(now + timedelta(days=400), 7), 1000),
        ),
    ]
    for name, step in steps:
        step()
        assert kept(store) == recount(store), name
    assert kept(store)["checkin_days"]  # something was counted


def test_check_in_dates_and_chats_never_change(store: Store) -> None:
    store.subscribe(1, NOW)
    store.check_in(1, 4, NOW)
    with pytest.raises(sqlite3.IntegrityError, match="cannot change"):
        store.db.execute("UPDATE checkins SET local_date = '2020-01-01'")
    with pytest.raises(sqlite3.IntegrityError, match="cannot change"):
        store.db.execute("UPDATE subscribers SET chat_id = 2")


def test_the_migration_counts_what_is_there(tmp_path: Path, content: Content) -> None:
    store = Store(tmp_path / "old.db")
    migrations.apply(store.db, stop_before="m020_stats_counts")
    # Today's code writes the data below: it needs the tip library's columns (m021, which
    # adds only what is missing, so it runs again after m020 unharmed).
    m021_tip_library(store.db)
    store.sync_tips(content.tips, NOW)
    deliver_three_days(store)
    change_subscriptions(store)
    check_in(store)
    give_feedback(store, content, {0: (1, 4), 1: (2, 2)})
    before = collect_by_rows(store)
    store.migrate()
    assert kept(store) == recount(store)
    assert store.stats(NOW).subscribers == before


def collect_by_rows(store: Store) -> SubscriberCounts:
    """Subscribers by state as /stats counted them before m020, from every row."""
    counts: Counter[str] = Counter()
    for subscribed, blocked, zone, resume_on in store.db.execute(
        "SELECT subscribed, blocked, timezone, resume_on FROM subscribers"
    ):
        local = schedule.local_date_in(NOW, zone)
        if not subscribed:
            counts["unsubscribed"] += 1
        elif blocked:
            counts["blocked"] += 1
        elif resume_on and schedule.paused_on(date.fromisoformat(resume_on), local):
            counts["paused"] += 1
        else:
            counts["active"] += 1
    return SubscriberCounts(
        **{k: counts[k] for k in ("active", "paused", "blocked", "unsubscribed")}
    )
