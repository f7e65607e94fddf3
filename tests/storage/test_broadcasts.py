"""A broadcast's per-chat states: claimed just before sending, cancelled while pending,
uncertain after a crash, and never handed out twice."""

from __future__ import annotations

import pytest

from storage import Broadcast, BroadcastStatus, Store
from tests.conftest import FakeClock

CHATS = [1, 2, 3, 4]
OPERATOR = 99


@pytest.fixture
def broadcast(store: Store, clock: FakeClock) -> Broadcast:
    for chat_id in CHATS:
        store.subscribe(chat_id, clock())
    started = store.start_broadcast(OPERATOR, 7, OPERATOR, clock())
    assert started is not None and started.recipients == len(CHATS)
    return started


def test_a_claimed_copy_is_no_longer_pending(
    store: Store, clock: FakeClock, broadcast: Broadcast
) -> None:
    assert store.claim_copy(broadcast.id, 1, clock())
    assert store.broadcast_pending(broadcast.id, 10) == [2, 3, 4]
    assert not store.claim_copy(broadcast.id, 1, clock())  # never handed out twice


def test_cancel_stops_what_is_pending_only(
    store: Store, clock: FakeClock, broadcast: Broadcast
) -> None:
    store.claim_copy(broadcast.id, 1, clock())
    store.mark_copy(broadcast.id, 1, BroadcastStatus.SENT, clock())
    store.claim_copy(broadcast.id, 2, clock())  # in flight
    assert store.cancel_broadcast(broadcast.id, clock()) == 2
    assert not store.claim_copy(broadcast.id, 3, clock())  # fetched before the cancel
    counts = store.broadcast_counts(broadcast.id)
    assert (counts[BroadcastStatus.SENT], counts[BroadcastStatus.SENDING]) == (1, 1)
    assert counts[BroadcastStatus.CANCELLED] == 2
    assert store.cancel_broadcast(broadcast.id, clock()) == 0  # a second tap


def test_a_crash_leaves_copies_in_flight_uncertain(
    store: Store, clock: FakeClock, broadcast: Broadcast
) -> None:
    store.claim_copy(broadcast.id, 1, clock())
    assert store.recover_broadcasts(clock()) == 1
    counts = store.broadcast_counts(broadcast.id)
    assert (counts[BroadcastStatus.UNCERTAIN], counts[BroadcastStatus.PENDING]) == (1, 3)
    assert 1 not in store.broadcast_pending(broadcast.id, 10)
    assert [b.id for b in store.unfinished_broadcasts()] == [broadcast.id]


def test_recovery_leaves_finished_broadcasts_alone(
    store: Store, clock: FakeClock, broadcast: Broadcast
) -> None:
    store.claim_copy(broadcast.id, 1, clock())
    store.finish_broadcast(broadcast.id, clock())
    assert store.recover_broadcasts(clock()) == 0


def test_an_operators_deletedata_leaves_no_row_naming_them(
    store: Store, clock: FakeClock, broadcast: Broadcast
) -> None:
    """The broadcast keeps its counts; who sent it and the message it copied are gone, and
    what it had not sent is cancelled (the message can no longer be copied)."""
    store.claim_copy(broadcast.id, 1, clock())
    store.mark_copy(broadcast.id, 1, BroadcastStatus.SENT, clock())

    store.delete_chat(OPERATOR)

    row = store.db.execute(
        "SELECT created_by, from_chat_id, message_id FROM broadcasts WHERE id = ?",
        [broadcast.id],
    ).fetchone()
    assert row == (0, 0, 0)
    counts = store.broadcast_counts(broadcast.id)
    assert counts[BroadcastStatus.SENT] == 1
    assert counts[BroadcastStatus.CANCELLED] == len(CHATS) - 1
    assert store.broadcast_pending(broadcast.id, 10) == []
    # No column that holds a chat id still holds the operator's.
    chat_columns = {"chat_id", "created_by", "from_chat_id"}
    for table in store.db.table_names():
        for column in chat_columns & store.db.table(table).columns_dict.keys():
            found = store.db.execute(
                f'SELECT count(*) FROM "{table}" WHERE "{column}" = ?', [OPERATOR]
            ).fetchone()
            assert found == (0,), (table, column)


def test_a_recipients_deletedata_leaves_the_operators_broadcast_alone(
    store: Store, clock: FakeClock, broadcast: Broadcast
) -> None:
    store.delete_chat(2)
    assert store.broadcast_pending(broadcast.id, 10) == [1, 3, 4]
    row = store.db.execute(
        "SELECT created_by FROM broadcasts WHERE id = ?", [broadcast.id]
    ).fetchone()
    assert row == (OPERATOR,)
