"""The holds a guided session's ending sets: a session that felt worse, and the pain stop,
hold massage for the rest of the chat's local day (``storage.safety``)."""

from __future__ import annotations

import pytest

from storage import Hold, Store
from storage.rules.sessions import Feeling, SessionState
from tests.conftest import FakeClock, permit

CHAT = 7


def _ended(store: Store, clock: FakeClock) -> int:
    started = store.start_session(permit(store, CHAT, clock()), "kneading", "en", clock())
    assert started is not None
    store.end_session(started.id, SessionState.DONE, clock())
    return started.id


def test_a_session_that_felt_worse_holds_massage_today(store: Store, clock: FakeClock) -> None:
    felt = store.set_feeling(_ended(store, clock), Feeling.WORSE, clock())
    assert felt is not None and felt.feeling is Feeling.WORSE
    assert store.massage(CHAT, clock()).holds == (Hold.WORSE,)
    clock.advance(days=1)
    assert store.massage(CHAT, clock()).allowed


@pytest.mark.parametrize("feeling", [Feeling.BETTER, Feeling.SAME])
def test_other_feelings_hold_nothing(store: Store, clock: FakeClock, feeling: Feeling) -> None:
    store.set_feeling(_ended(store, clock), feeling, clock())
    assert store.massage(CHAT, clock()).allowed


def test_a_feeling_for_a_running_session_holds_nothing(store: Store, clock: FakeClock) -> None:
    started = store.start_session(permit(store, CHAT, clock()), "kneading", "en", clock())
    assert started is not None
    assert store.set_feeling(started.id, Feeling.WORSE, clock()) is None
    assert store.massage(CHAT, clock()).allowed


def test_the_pain_stop_ends_the_session_and_holds_massage_today(
    store: Store, clock: FakeClock
) -> None:
    started = store.start_session(permit(store, CHAT, clock()), "kneading", "en", clock())
    assert started is not None
    ended = store.pain_stop(started.id, clock())
    assert ended is not None and ended.state is SessionState.PAIN_STOP
    assert store.massage(CHAT, clock()).holds == (Hold.PAIN_STOP,)


def test_the_pain_stop_holds_massage_after_the_session_ended_too(
    store: Store, clock: FakeClock
) -> None:
    assert store.pain_stop(_ended(store, clock), clock()) is None
    assert store.massage(CHAT, clock()).holds == (Hold.PAIN_STOP,)
