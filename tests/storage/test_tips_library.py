"""The tip library through the real Store: the choosing rule's history kept per chat, an
existing subscriber's place kept across the change, the answers, 👎 and the safety state."""

from __future__ import annotations

from content import Content
from storage import Caution, Store, choosing
from tests.conftest import FakeClock, send_day

CHAT = 42


def subscribe(store: Store, clock: FakeClock, **answers: str) -> None:
    store.subscribe(CHAT, clock())
    store.set_caution(CHAT, Caution.NONE, clock())
    if answers:
        columns = ", ".join(f"{name} = ?" for name in answers)
        store.db.execute(
            f"UPDATE subscribers SET {columns} WHERE chat_id = ?", [*answers.values(), CHAT]
        )


def library_ids(content: Content) -> set[str]:
    return {tip.id for tip in content.tips if tip.program_day is None}


def test_a_subscriber_from_before_the_library_sees_no_tip_again_sooner(
    store: Store, content: Content, clock: FakeClock
) -> None:
    """Someone past the program when the library came (no history kept yet): what the
    delivery log says they had is not sent again for 200 days."""
    subscribe(store, clock)
    first = [send_day(store, clock, day).tip.id for day in range(content.program_days + 12)]
    had = [tip_id for tip_id in first if tip_id in library_ids(content)]
    assert len(had) == 12
    store.db.execute("UPDATE subscribers SET tips_seen = NULL")  # as before m021
    days = content.program_days + 12
    later = [send_day(store, clock, days + n).tip.id for n in range(170)]
    assert not set(had) & set(later)
    assert len(set(later)) == len(later)


def test_the_history_is_kept_on_the_subscriber_row(
    store: Store, content: Content, clock: FakeClock
) -> None:
    subscribe(store, clock)
    claim = send_day(store, clock, 0)
    subscriber = store.subscriber(CHAT)
    assert subscriber is not None and subscriber.tips_seen  # even a program day counts
    assert claim.tip.program_day == 1


def test_pain_below_the_knee_gets_no_massage_tip_until_a_doctor_cleared_massage(
    store: Store, content: Content, clock: FakeClock
) -> None:
    subscribe(store, clock, below_knee="yes")
    days = content.program_days + 200
    tips = [send_day(store, clock, day).tip for day in range(days)]
    library = [tip for tip in tips if tip.program_day is None]
    assert not any(tip.about_massage for tip in library)
    store.set_caution(CHAT, Caution.CLEARED, clock())
    more = [send_day(store, clock, days + n).tip for n in range(60)]
    assert any(tip.about_massage for tip in more)


def test_while_check_ins_rise_no_library_tip_is_about_massage(
    store: Store, content: Content, clock: FakeClock
) -> None:
    subscribe(store, clock)
    for day in range(content.program_days):
        send_day(store, clock, day)
    store.db.execute("UPDATE subscribers SET hold_techniques = 1")
    tips = [send_day(store, clock, content.program_days + n).tip for n in range(150)]
    assert not any(tip.about_massage for tip in tips)


def test_a_topic_marked_thumbs_down_more_than_up_comes_less(
    store: Store, content: Content, clock: FakeClock
) -> None:
    sleep = [tip.id for tip in content.tips if tip.topic == "sleep"]
    store.set_feedback(CHAT, sleep[0], False, clock())
    store.set_feedback(CHAT, sleep[1], False, clock())
    store.set_feedback(CHAT, sleep[2], True, clock())
    assert store._less_of(CHAT) == frozenset({"sleep"})
    store.set_feedback(CHAT, sleep[3], True, clock())
    store.set_feedback(CHAT, sleep[4], True, clock())
    assert store._less_of(CHAT) == frozenset()


def test_the_same_claim_picks_the_same_tip_when_tried_again(
    store: Store, content: Content, clock: FakeClock
) -> None:
    """A claim released (the bot stopped) and claimed again picks the same library tip."""
    subscribe(store, clock)
    for day in range(content.program_days + 3):
        send_day(store, clock, day)
    clock.advance(days=1)
    (claim,) = store.claim_due(clock(), 10)
    store.release([claim], clock())
    (again,) = store.claim_due(clock(), 10)
    assert again.tip.id == claim.tip.id


def test_a_tip_added_to_the_history_while_another_is_in_flight_stays_there(
    store: Store, content: Content, clock: FakeClock
) -> None:
    """The history changed between a daily tip's claim and its send (another tip was
    recorded meanwhile): both end up in it, neither overwrites the other."""
    subscribe(store, clock)
    for day in range(content.program_days + 2):
        send_day(store, clock, day)
    clock.advance(days=1)
    (claim,) = store.claim_due(clock(), 10)
    other = next(tip for tip in content.tips if tip.id != claim.tip.id and tip.topic == "travel")
    slot = store._tips_now().slots[other.id]
    row = store.subscriber(CHAT)
    assert row is not None
    meanwhile = choosing.Seen(row.tips_seen).marked(slot, claim.day)
    store.db.execute("UPDATE subscribers SET tips_seen = ? WHERE chat_id = ?", [meanwhile, CHAT])
    store.mark_sent(claim, 99, clock())
    (record,) = store.chat_record(CHAT)["subscribers"]
    had = {entry["tip"] for entry in record["tips_seen"]}
    assert {claim.tip.id, other.id} <= had
