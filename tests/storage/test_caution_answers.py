"""Answers pressed on the caution check (``answer_caution``): which answer may follow which,
so an old check message pressed later, or a forged press, changes nothing."""

from __future__ import annotations

import pytest

from storage import Caution, Store
from storage.subscribers import CAUTION_FOLLOWS
from tests.conftest import FakeClock
from tests.storage.store_common import CHAT

ALLOWED = [
    pytest.param(None, Caution.NONE, id="none-first"),
    pytest.param(Caution.ASKED, Caution.NONE, id="none-after-asked"),
    pytest.param(Caution.NONE, Caution.NONE, id="none-again"),
    pytest.param(None, Caution.APPLIES, id="applies-first"),
    pytest.param(Caution.ASKED, Caution.APPLIES, id="applies-after-asked"),
    pytest.param(Caution.NONE, Caution.APPLIES, id="applies-after-none"),
    pytest.param(Caution.APPLIES, Caution.APPLIES, id="applies-again"),
    pytest.param(Caution.CLEARED, Caution.APPLIES, id="applies-after-cleared"),
    pytest.param(Caution.APPLIES, Caution.CLEARED, id="cleared-after-applies"),
    pytest.param(Caution.CLEARED, Caution.CLEARED, id="cleared-again"),
]
REFUSED = [
    pytest.param(Caution.APPLIES, Caution.NONE, id="none-cannot-overrule-applies"),
    pytest.param(Caution.CLEARED, Caution.NONE, id="none-after-cleared"),
    pytest.param(None, Caution.CLEARED, id="cleared-without-applies"),
    pytest.param(Caution.ASKED, Caution.CLEARED, id="cleared-after-asked"),
    pytest.param(Caution.NONE, Caution.CLEARED, id="cleared-after-none"),
]


def _answered(store: Store, clock: FakeClock, before: Caution | None) -> None:
    store.ensure(CHAT, clock())
    store.set_caution(CHAT, before, clock())


@pytest.mark.parametrize(("before", "answer"), ALLOWED)
def test_an_answer_that_may_follow_is_recorded(
    store: Store, clock: FakeClock, before: Caution | None, answer: Caution
) -> None:
    _answered(store, clock, before)
    subscriber = store.answer_caution(CHAT, answer, clock())
    assert subscriber is not None and subscriber.caution is answer


@pytest.mark.parametrize(("before", "answer"), REFUSED)
def test_an_answer_that_may_not_follow_changes_nothing(
    store: Store, clock: FakeClock, before: Caution | None, answer: Caution
) -> None:
    _answered(store, clock, before)
    assert store.answer_caution(CHAT, answer, clock()) is None
    stored = store.subscriber(CHAT)
    assert stored is not None and stored.caution is before


def test_every_pair_is_named_above() -> None:
    named = {(p.values[0], p.values[1]) for p in ALLOWED + REFUSED}
    every = {(before, answer) for before in (None, *Caution) for answer in CAUTION_FOLLOWS}
    assert named == every


def test_a_refused_answer_stores_no_row_for_a_chat_never_seen(
    store: Store, clock: FakeClock
) -> None:
    assert store.answer_caution(CHAT, Caution.CLEARED, clock()) is None
    assert store.subscriber(CHAT) is None


def test_asked_is_not_an_answer(store: Store, clock: FakeClock) -> None:
    with pytest.raises(ValueError, match="not an answer"):
        store.answer_caution(CHAT, Caution.ASKED, clock())
