"""The SQLite store, one section of what was test_store.py: The tip library in the database."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from content import Content
from storage import Caution, Store
from tests.conftest import FakeClock
from tests.storage.store_common import (
    CHAT,
)

# Tips ------------------------------------------------------------------------------------------


def test_synced_tips_match_content_in_order(store: Store, content: Content) -> None:
    assert [tip.id for tip in store.tips()] == [tip.id for tip in content.tips]


def test_sync_tips_again_changes_nothing(store: Store, content: Content, clock: FakeClock) -> None:
    result = store.sync_tips(content.tips, clock())
    assert (result.added, result.updated, result.retired) == (0, 0, 0)


def test_sync_tips_again_keeps_row_count(store: Store, content: Content, clock: FakeClock) -> None:
    store.sync_tips(content.tips, clock())
    assert store.db.table("tips").count == len(content.tips)


def test_sync_tips_updates_edited_text(store: Store, content: Content, clock: FakeClock) -> None:
    edited = replace(content.tips[0], text=content.tips[0].text + " Edited.")
    result = store.sync_tips([edited, *content.tips[1:]], clock())
    assert (result.added, result.updated, result.retired) == (0, 1, 0)
    assert store.tips()[0].text == edited.text


def test_sync_tips_retires_removed_tip(store: Store, content: Content, clock: FakeClock) -> None:
    removed = content.tips[1]
    result = store.sync_tips([t for t in content.tips if t.id != removed.id], clock())
    assert result.retired == 1
    assert removed.id not in [tip.id for tip in store.tips()]


def test_retired_tip_is_never_taken(store: Store, content: Content, clock: FakeClock) -> None:
    removed = content.tips[1]
    store.sync_tips([t for t in content.tips if t.id != removed.id], clock())
    taken = [store.take_tip(CHAT, clock()).tip.id for _ in range(2 * len(content.tips))]
    assert removed.id not in taken


def test_retired_tip_is_kept_for_the_delivery_log(
    store: Store, content: Content, clock: FakeClock
) -> None:
    store.sync_tips(content.tips[1:], clock())
    assert store.db.table("tips").count == len(content.tips)


def test_re_added_tip_comes_back(store: Store, content: Content, clock: FakeClock) -> None:
    removed = content.tips[1]
    store.sync_tips([t for t in content.tips if t.id != removed.id], clock())
    store.sync_tips(content.tips, clock())
    assert [tip.id for tip in store.tips()] == [tip.id for tip in content.tips]


def test_take_tip_walks_the_program_in_order_then_the_library_without_repeats(
    store: Store, content: Content, clock: FakeClock
) -> None:
    store.set_caution(CHAT, Caution.NONE, clock())
    taken = []
    for _ in range(content.program_days + 200):
        taken.append(store.take_tip(CHAT, clock()).tip.id)
        clock.advance(days=1)
    program = [tip.id for tip in content.tips if tip.program_day is not None]
    assert taken[: content.program_days] == program
    library = {tip.id for tip in content.tips if tip.program_day is None}
    after = taken[content.program_days :]
    assert set(after) <= library and len(set(after)) == len(after)


def test_take_tip_without_tips_raises_lookup_error(tmp_path: Path, clock: FakeClock) -> None:
    empty = Store(tmp_path / "empty.db")
    try:
        empty.migrate()
        with pytest.raises(LookupError):
            empty.take_tip(CHAT, clock())
    finally:
        empty.close()
