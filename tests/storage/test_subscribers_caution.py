"""The SQLite store, one section of what was test_store.py: The caution check."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from storage import Caution, Store
from tests.conftest import FakeClock
from tests.storage.store_common import (
    CHAT,
)

# The caution check ----------------------------------------------------------------------------


def test_caution_is_unanswered_for_a_new_chat(store: Store, clock: FakeClock) -> None:
    assert store.ensure(CHAT, clock()).caution is None


@pytest.mark.parametrize("value", list(Caution))
def test_set_caution_records_the_answer(store: Store, clock: FakeClock, value: Caution) -> None:
    assert store.set_caution(CHAT, value, clock()).caution is value


def test_set_caution_creates_the_chat(store: Store, clock: FakeClock) -> None:
    store.set_caution(CHAT, Caution.NONE, clock())
    subscriber = store.subscriber(CHAT)
    assert subscriber is not None and not subscriber.subscribed


def test_set_caution_none_forgets_the_answer(store: Store, clock: FakeClock) -> None:
    store.set_caution(CHAT, Caution.APPLIES, clock())
    assert store.set_caution(CHAT, None, clock()).caution is None


def test_set_caution_rejects_unknown_answers(store: Store, clock: FakeClock) -> None:
    with pytest.raises(ValueError):
        store.set_caution(CHAT, "maybe", clock())  # type: ignore[arg-type]


def test_set_caution_keeps_the_other_settings(store: Store, clock: FakeClock) -> None:
    before = store.subscribe(CHAT, clock())[0]
    after = store.set_caution(CHAT, Caution.CLEARED, clock())
    assert replace(after, caution=None) == before


def test_caution_survives_reopening_the_file(
    tmp_path: Path, store: Store, clock: FakeClock
) -> None:
    store.set_caution(CHAT, Caution.NONE, clock())
    again = Store(tmp_path / "test.db")
    try:
        kept = again.subscriber(CHAT)
    finally:
        again.close()
    assert kept is not None and kept.caution is Caution.NONE


def test_delete_chat_forgets_the_caution_answer(store: Store, clock: FakeClock) -> None:
    store.set_caution(CHAT, Caution.NONE, clock())
    store.delete_chat(CHAT)
    assert store.ensure(CHAT, clock()).caution is None
