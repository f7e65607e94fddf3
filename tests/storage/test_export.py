"""/export's table (storage/export.py): one row per day with anything recorded, or nothing."""

from __future__ import annotations

from storage import Store, export
from tests.conftest import FakeClock
from tests.storage.store_common import CHAT


def test_a_chat_with_nothing_recorded_has_nothing_to_export(store: Store, clock: FakeClock) -> None:
    store.subscribe(CHAT, clock())

    assert export.days_csv(store.record(CHAT, clock(), days=None)) is None


def test_each_day_with_a_check_in_is_one_row_under_the_header(
    store: Store, clock: FakeClock
) -> None:
    store.check_in(CHAT, 4, clock())

    data = export.days_csv(store.record(CHAT, clock(), days=None))

    assert data is not None
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0].split(",") == list(export.CSV_COLUMNS)
    assert lines[1].startswith(f"{clock().date().isoformat()},4,")
    assert len(lines) == 2
