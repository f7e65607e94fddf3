"""The caution check guards the daily tips and /tip: passed over while a caution applies or
the check is unanswered, asked in place of the first tip about massage, and the program's
day numbers kept honest."""

from __future__ import annotations

from datetime import timedelta

import pytest

from content import Content
from storage import Caution, Claim, Hold, Store
from tests.conftest import START, FakeClock, massage_days, send_day

CHAT = 42
NINE = START.replace(hour=9)
LIMIT = 10


@pytest.fixture(autouse=True)
def subscribed(store: Store, clock: FakeClock) -> None:
    store.subscribe(CHAT, clock())


def about_massage(content: Content) -> set[str]:
    return {tip.id for tip in content.tips if tip.technique is not None or tip.massage}


def send_days(store: Store, clock: FakeClock, days: int, first: int = 0) -> list[Claim]:
    """Claim and send CHAT's tip at 09:00 on ``days`` days in a row, from day ``first``."""
    return [send_day(store, clock, day) for day in range(first, first + days)]


def test_while_a_caution_applies_no_tip_about_massage_is_claimed(
    store: Store, content: Content, clock: FakeClock
) -> None:
    store.set_caution(CHAT, Caution.APPLIES, clock())
    claims = send_days(store, clock, 2 * len(content.tips))
    assert not {claim.tip.id for claim in claims} & about_massage(content)
    assert not any(claim.pick.ask_caution for claim in claims)


def test_while_a_caution_applies_tip_takes_pass_over_massage_too(
    store: Store, content: Content, clock: FakeClock
) -> None:
    store.set_caution(CHAT, Caution.APPLIES, clock())
    taken = [store.take_tip(CHAT, clock()) for _ in content.tips]
    assert not {pick.tip.id for pick in taken} & about_massage(content)


def test_the_program_goes_on_and_names_the_days_left_out(
    store: Store, content: Content, clock: FakeClock
) -> None:
    store.set_caution(CHAT, Caution.APPLIES, clock())
    days = massage_days(content)
    claims = send_days(store, clock, content.program_days - len(days))
    # Day numbers are the program's own: the massage days are missing, nothing renumbered.
    program = [claim.tip.program_day for claim in claims]
    assert program == [d for d in range(1, content.program_days + 1) if d not in days]
    # The tip after the held-back block names it; no other tip names anything.
    after = next(claim for claim in claims if claim.tip.program_day == days[-1] + 1)
    assert after.pick.left_out == (days[0], days[-1])
    assert [claim for claim in claims if claim.pick.left_out] == [after]


def test_once_cleared_tips_about_massage_come_again(
    store: Store, content: Content, clock: FakeClock
) -> None:
    store.set_caution(CHAT, Caution.APPLIES, clock())
    store.set_caution(CHAT, Caution.CLEARED, clock())
    claims = send_days(store, clock, content.program_days)
    assert [claim.tip.id for claim in claims] == [tip.id for tip in content.tips[:30]]


def test_never_answered_the_check_comes_in_place_of_the_first_tip_about_massage(
    store: Store, content: Content, clock: FakeClock
) -> None:
    days = massage_days(content)
    claims = send_days(store, clock, content.program_days)
    gated = [claim for claim in claims if claim.pick.ask_caution]
    assert [claim.tip.program_day for claim in gated] == [days[0]]
    subscriber = store.subscriber(CHAT)
    assert subscriber is not None and subscriber.caution is Caution.ASKED
    # Unanswered, the rest of the massage days are passed over and named.
    received = [claim.tip.id for claim in claims if not claim.pick.ask_caution]
    assert not set(received) & about_massage(content)
    after = next(claim for claim in claims if claim.tip.program_day == days[-1] + 1)
    assert after.pick.left_out == (days[1], days[-1])


def test_the_check_is_asked_once_then_answering_none_brings_the_techniques(
    store: Store, content: Content, clock: FakeClock
) -> None:
    days = massage_days(content)
    send_days(store, clock, days[0])  # up to and including the check
    store.set_caution(CHAT, Caution.NONE, clock())
    (claim,) = send_days(store, clock, 1, first=days[0])
    assert (claim.tip.program_day, claim.pick.ask_caution) == (days[1], False)


def test_an_answer_given_between_claim_and_send_is_kept(
    store: Store, content: Content, clock: FakeClock
) -> None:
    days = massage_days(content)
    send_days(store, clock, days[0] - 1)
    clock.set(NINE + timedelta(days=days[0] - 1))
    (claim,) = store.claim_due(clock(), LIMIT)
    assert claim.pick.ask_caution
    store.set_caution(CHAT, Caution.APPLIES, clock())
    store.mark_sent(claim, 1, clock())
    subscriber = store.subscriber(CHAT)
    assert subscriber is not None and subscriber.caution is Caution.APPLIES


def test_tip_asks_the_check_in_place_of_the_first_tip_about_massage(
    store: Store, content: Content, clock: FakeClock
) -> None:
    taken = [store.take_tip(CHAT, clock()) for _ in content.tips]
    gated = [pick for pick in taken if pick.ask_caution]
    assert [pick.tip.program_day for pick in gated] == [massage_days(content)[0]]
    others = {pick.tip.id for pick in taken if not pick.ask_caution}
    assert not others & about_massage(content)


def test_retaking_the_check_asks_it_again_at_the_next_tip_about_massage(
    store: Store, content: Content, clock: FakeClock
) -> None:
    days = massage_days(content)
    store.set_caution(CHAT, Caution.NONE, clock())
    shown = [store.take_tip(CHAT, clock()) for _ in range(days[0])]
    assert shown[-1].tip.program_day == days[0] and not shown[-1].ask_caution
    store.set_caution(CHAT, None, clock())  # "Retake the safety check"
    pick = store.take_tip(CHAT, clock())
    assert (pick.tip.program_day, pick.ask_caution) == (days[1], True)


def test_the_tip_is_found_by_id_retired_or_not(store: Store, content: Content) -> None:
    tip = store.tip(content.tips[3].id)
    assert tip is not None and (tip.id, tip.program_day) == (content.tips[3].id, 4)
    assert store.tip("no_such_tip") is None


@pytest.mark.parametrize(
    ("caution", "hold", "holds", "ask"),
    [
        pytest.param(None, False, (), True, id="never-asked"),
        pytest.param(None, True, (Hold.CHECKINS,), False, id="never-asked-rising"),
        pytest.param(Caution.ASKED, False, (Hold.UNANSWERED,), False, id="unanswered"),
        pytest.param(
            Caution.ASKED, True, (Hold.UNANSWERED, Hold.CHECKINS), False, id="unanswered-rising"
        ),
        pytest.param(Caution.NONE, False, (), False, id="none-apply"),
        pytest.param(Caution.NONE, True, (Hold.CHECKINS,), False, id="none-apply-rising"),
        pytest.param(Caution.APPLIES, False, (Hold.CAUTION,), False, id="applies"),
        pytest.param(
            Caution.APPLIES, True, (Hold.CAUTION, Hold.CHECKINS), False, id="applies-rising"
        ),
        pytest.param(Caution.CLEARED, False, (), False, id="cleared"),
        pytest.param(Caution.CLEARED, True, (Hold.CHECKINS,), False, id="cleared-rising"),
    ],
)
def test_one_rule_decides_whether_tips_about_massage_come(
    store: Store,
    clock: FakeClock,
    caution: Caution | None,
    hold: bool,
    holds: tuple[Hold, ...],
    ask: bool,
) -> None:
    store.set_caution(CHAT, caution, clock())
    store.set_hold(CHAT, hold, clock())
    decision = store.massage(CHAT, clock())
    assert (decision.holds, decision.ask) == (holds, ask)
    assert decision.allowed is (not holds and not ask)
