"""A person's record over a range of local days (``Store.record``): what it reads, its
range in the person's timezone, and the figures worked out from it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from storage import Caution, Checkin, DeliveryStatus, Hold, Store
from storage.record import WEEK, GuidedSessions, Outcomes, Record, Scores, SessionCounts, TipDay
from storage.rules.checkins import WeekChange
from storage.rules.sessions import Feeling, Session, SessionState
from tests.conftest import START, FakeClock, permit, send_day
from tests.helpers import OUTCOMES

CHAT = 42
TODAY = date(2026, 11, 26)
#: START's day ended in Tokyo (UTC+9) at 15:00 UTC.
TOKYO_MIDNIGHT = datetime(2026, 11, 26, 15, tzinfo=UTC)


def session(day: date, state: SessionState, feeling: Feeling | None = None, id: int = 1) -> Session:
    return Session(
        id=id,
        chat_id=CHAT,
        technique_id="kneading",
        language="en",
        local_date=day,
        started_at=datetime.combine(day, datetime.min.time(), UTC),
        state=state,
        feeling=feeling,
    )


def guide(store: Store, at: datetime, state: SessionState = SessionState.DONE) -> Session:
    """A session of CHAT started and ended at ``at``."""
    started = store.start_session(permit(store, CHAT, at), "kneading", "en", at)
    assert started is not None
    ended = store.end_session(started.id, state, at)
    assert ended is not None
    return ended


# What a record holds -------------------------------------------------------------------------


def test_a_stranger_has_an_empty_record_and_reading_it_writes_nothing(store: Store) -> None:
    changes = store.db.conn.total_changes
    record = store.record(CHAT, START)
    assert (record.today, record.checkins.checkins, record.streak, record.days_subscribed) == (
        TODAY,
        (),
        0,
        None,
    )
    assert record.empty and not record.held
    assert (record.first, record.last, record.days) == (TODAY - timedelta(days=29), TODAY, 30)
    assert record == Record(CHAT, record.first, TODAY, TODAY, START)  # nothing recorded
    assert record.sessions == GuidedSessions() and record.tips == () and record.warning_signs == ()
    assert record.caution is None and record.holds == ()
    assert (record.checkins.count, record.checkins.median) == (0, None)
    assert (record.checkins.lowest, record.checkins.highest) == (None, None)
    assert store.db.conn.total_changes == changes and store.subscriber(CHAT) is None


def test_one_check_in_is_its_own_median_lowest_and_highest(store: Store) -> None:
    store.check_in(CHAT, 6, START)
    scores = store.record(CHAT, START).checkins
    assert scores.checkins == (Checkin(TODAY, 6),)
    assert (scores.count, scores.median, scores.lowest, scores.highest) == (1, 6, 6, 6)
    assert scores.by_day == {TODAY: 6}


def test_the_record_keeps_only_its_days(store: Store, clock: FakeClock) -> None:
    for _ in range(40):
        store.check_in(CHAT, 3, clock())
        clock.advance(days=1)
    record = store.record(CHAT, clock())
    assert len(record.checkins.checkins) == 29  # today has none yet
    assert record.checkins.checkins[0].local_date == record.today - timedelta(days=29)
    assert record.streak == 40


def test_days_subscribed_count_from_the_first_day(store: Store, clock: FakeClock) -> None:
    store.subscribe(CHAT, clock())
    assert store.record(CHAT, clock()).days_subscribed == 1
    clock.advance(days=9)
    assert store.record(CHAT, clock()).days_subscribed == 10


def test_subscribing_again_keeps_the_start_while_subscribed(store: Store, clock: FakeClock) -> None:
    store.subscribe(CHAT, clock())
    clock.advance(days=5)
    store.subscribe(CHAT, clock())
    assert store.record(CHAT, clock()).days_subscribed == 6


def test_unsubscribing_restarts_the_count(store: Store, clock: FakeClock) -> None:
    store.subscribe(CHAT, clock())
    clock.advance(days=5)
    store.unsubscribe(CHAT, clock())
    assert store.record(CHAT, clock()).days_subscribed is None
    clock.advance(days=1)
    store.subscribe(CHAT, clock())
    assert store.record(CHAT, clock()).days_subscribed == 1


def test_the_record_uses_the_local_date(store: Store) -> None:
    store.set_timezone(CHAT, "Asia/Tokyo", START)
    store.check_in(CHAT, 5, START.replace(hour=20))  # already the 27th in Tokyo
    record = store.record(CHAT, START.replace(hour=20))
    assert record.today == TODAY + timedelta(days=1)
    assert record.checkins.checkins == (Checkin(TODAY + timedelta(days=1), 5),)


def test_the_range_begins_at_the_persons_midnight(store: Store) -> None:
    """Two days in Tokyo, read at 05:00 on the 27th there: the range begins at the 26th's
    midnight in Tokyo (15:00 UTC on the 25th), not at UTC's."""
    store.set_timezone(CHAT, "Asia/Tokyo", START)
    midnight = TOKYO_MIDNIGHT - timedelta(days=1)
    before = midnight - timedelta(minutes=1)
    for at, score in ((before, 1), (midnight, 2)):
        store.check_in(CHAT, score, at)
        guide(store, at)
    store.report_warning_sign(CHAT, before)
    store.report_warning_sign(CHAT, midnight)
    record = store.record(CHAT, START.replace(hour=20), days=2)
    assert (record.first, record.last) == (TODAY, TODAY + timedelta(days=1))
    assert record.checkins.checkins == (Checkin(TODAY, 2),)
    assert [s.local_date for s in record.sessions.sessions] == [TODAY]
    assert record.warning_signs == (TODAY,)
    # One minute earlier in Tokyo is the day before, out of the range.
    earlier = store.record(CHAT, START.replace(hour=20), days=3)
    assert earlier.checkins.scores == [1, 2] and earlier.sessions.count == 2
    assert earlier.warning_signs == (TODAY - timedelta(days=1), TODAY)


def test_the_range_ends_today_and_every_day_means_every_day(store: Store) -> None:
    store.check_in(CHAT, 4, START + timedelta(days=1))  # "tomorrow": the chat moved west
    store.check_in(CHAT, 2, START - timedelta(days=400))
    store.check_in(CHAT, 3, START)
    assert store.record(CHAT, START).checkins.scores == [3]
    everything = store.record(CHAT, START, days=None)
    assert (everything.first, everything.last) == (date.min, date.max)
    assert everything.checkins.scores == [2, 3, 4]
    assert everything.streak == 1  # the day after today is not part of the streak


@pytest.mark.parametrize("days", [0, -1])
def test_a_range_needs_a_day(store: Store, days: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        store.record(CHAT, START, days)


def test_daily_tips_come_with_what_became_of_them(store: Store, clock: FakeClock) -> None:
    store.subscribe(CHAT, clock())
    sent = send_day(store, clock, 0)
    (claim,) = store.claim_due(clock() + timedelta(days=1), 10)
    store.mark_blocked(claim, clock() + timedelta(days=1))
    record = store.record(CHAT, clock() + timedelta(days=1))
    assert record.tips == (
        TipDay(TODAY, sent.tip.id, DeliveryStatus.SENT),
        TipDay(TODAY + timedelta(days=1), claim.tip.id, DeliveryStatus.BLOCKED),
    )
    assert store.record(CHAT, clock() + timedelta(days=1), days=1).tips == record.tips[1:]


def test_sessions_and_how_they_felt(store: Store, clock: FakeClock) -> None:
    felt = guide(store, clock())
    store.set_feeling(felt.id, Feeling.BETTER, clock())
    guide(store, clock(), SessionState.PAIN_STOP)
    running = store.start_session(permit(store, CHAT, clock()), "pushing", "en", clock())
    assert running is not None
    sessions = store.record(CHAT, clock()).sessions
    assert [s.id for s in sessions.sessions] == [felt.id, felt.id + 1, running.id]
    assert sessions.sessions[0].feeling is Feeling.BETTER
    assert sessions.outcomes == Outcomes(
        done=1, better=1, same=0, worse=0, unanswered=0, stopped=0, pain_stop=1, ended=1
    )


def test_the_safety_state_and_the_caution_answer(store: Store, clock: FakeClock) -> None:
    store.set_caution(CHAT, Caution.APPLIES, clock())
    store.report_warning_sign(CHAT, clock())
    record = store.record(CHAT, clock())
    assert record.caution is Caution.APPLIES
    assert record.holds == (Hold.WARNING_SIGN, Hold.CAUTION) and record.held
    assert record.warning_signs == (TODAY,) and not record.empty


# The figures ---------------------------------------------------------------------------------


def test_scores_keep_one_per_day_the_later_given_oldest_first() -> None:
    scores = Scores.of(
        [Checkin(TODAY, 5), Checkin(TODAY - timedelta(days=1), 2), Checkin(TODAY, 7)]
    )
    assert scores.checkins == (Checkin(TODAY - timedelta(days=1), 2), Checkin(TODAY, 7))
    assert scores.median == 4.5 and (scores.lowest, scores.highest) == (2, 7)


def test_scores_between_include_both_ends() -> None:
    scores = Scores.of(Checkin(TODAY - timedelta(days=n), n) for n in range(5))
    assert scores.between(TODAY - timedelta(days=3), TODAY - timedelta(days=1)).scores == [3, 2, 1]


def test_weeks_are_calendar_weeks_from_monday() -> None:
    # TODAY is a Thursday: the Sunday before it ends the week before.
    sunday, monday = date(2026, 11, 22), date(2026, 11, 23)
    scores = Scores.of([Checkin(sunday, 8), Checkin(monday, 2), Checkin(TODAY, 4)])
    assert scores.weeks() == (
        (date(2026, 11, 16), Scores((Checkin(sunday, 8),))),
        (monday, Scores((Checkin(monday, 2), Checkin(TODAY, 4)))),
    )


def test_outcomes_count_every_session_once() -> None:
    sessions = GuidedSessions(
        tuple(
            session(TODAY, state, feeling, id=i) for i, (state, feeling) in enumerate(OUTCOMES * 2)
        )
    )
    outcomes = sessions.outcomes
    assert outcomes == Outcomes(
        done=8, better=2, same=2, worse=2, unanswered=2, stopped=2, pain_stop=2, ended=2
    )


def test_newest_sessions_first_by_day_then_start() -> None:
    old = session(TODAY - timedelta(days=1), SessionState.DONE, id=3)
    new = session(TODAY, SessionState.DONE, id=1)
    assert GuidedSessions((new, old)).newest() == (new, old)


def test_sessions_this_week_count_from_monday(store: Store, clock: FakeClock) -> None:
    for back in (4, 3, 0):  # Sunday, Monday and Thursday
        guide(store, START - timedelta(days=back))
    assert store.record(CHAT, START).session_counts == SessionCounts(this_week=2)


def record_of(checkins: Scores, sessions: GuidedSessions | None = None) -> Record:
    first = TODAY - timedelta(days=2 * WEEK - 1)
    return Record(CHAT, first, TODAY, TODAY, START, checkins, sessions or GuidedSessions())


def test_the_look_back_is_the_last_week_beside_the_week_before() -> None:
    scores = Scores.of(Checkin(TODAY - timedelta(days=n), 8 if n >= WEEK else 3) for n in range(14))
    sessions = GuidedSessions(
        (
            session(TODAY - timedelta(days=WEEK), SessionState.DONE),
            session(TODAY, SessionState.DONE),
        )
    )
    look_back = record_of(scores, sessions).look_back()
    assert look_back.days == tuple(TODAY - timedelta(days=n) for n in range(6, -1, -1))
    assert look_back.week.scores == [3] * WEEK and look_back.before.scores == [8] * WEEK
    assert look_back.sessions == 1
    assert look_back.trend is WeekChange.LOWER


def test_the_look_back_compares_only_with_three_check_ins_in_each_week() -> None:
    scores = Scores.of(
        [Checkin(TODAY - timedelta(days=n), 5) for n in (0, 1, 2)]
        + [Checkin(TODAY - timedelta(days=n), 9) for n in (WEEK, WEEK + 1)]
    )
    assert record_of(scores).look_back().trend is None
