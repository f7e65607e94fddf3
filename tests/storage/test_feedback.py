"""Feedback on daily tips (storage/feedback.py): only a tip the chat was sent is answered."""

from __future__ import annotations

import pytest

from storage import Store
from tests.conftest import FakeClock
from tests.storage.store_common import CHAT, claim_one


@pytest.mark.parametrize("helpful", [True, False])
def test_an_answer_about_a_tip_this_chat_was_sent_is_recorded(
    subscribed: Store, clock: FakeClock, helpful: bool
) -> None:
    claim = claim_one(subscribed, clock())
    subscribed.mark_sent(claim, 777, clock())
    tip_id = claim.pick.tip.id

    assert subscribed.answer_tip(CHAT, tip_id, helpful, clock()) is True
    assert subscribed.feedback(CHAT, tip_id) is helpful


def test_an_answer_about_a_tip_the_chat_never_got_stores_nothing(
    subscribed: Store, clock: FakeClock
) -> None:
    claim = claim_one(subscribed, clock())
    subscribed.mark_sent(claim, 777, clock())
    tip_id = claim.pick.tip.id

    # Another chat pressing buttons under a forwarded tip, or a forged press.
    assert subscribed.answer_tip(CHAT + 1, tip_id, True, clock()) is False
    assert subscribed.feedback(CHAT + 1, tip_id) is None
    assert subscribed.db.execute("SELECT COUNT(*) FROM feedback").fetchone() == (0,)


def test_a_claimed_tip_not_yet_sent_cannot_be_answered(subscribed: Store, clock: FakeClock) -> None:
    claim = claim_one(subscribed, clock())

    assert subscribed.answer_tip(CHAT, claim.pick.tip.id, True, clock()) is False
    assert subscribed.feedback(CHAT, claim.pick.tip.id) is None
