"""Store.set_fit: the answers to the three questions, checked against storage.rules.choosing."""

from __future__ import annotations

import pytest

from storage import BelowKnee, DaysLike, Focus, Store
from tests.conftest import FakeClock


def test_answers_are_stored_and_kept_when_not_given(store: Store, clock: FakeClock) -> None:
    subscriber = store.set_fit(1, clock(), below_knee="yes", days_like=DaysLike.SITTING)
    assert (subscriber.below_knee, subscriber.days_like, subscriber.focus) == (
        "yes",
        "sitting",
        None,
    )
    subscriber = store.set_fit(1, clock(), focus=Focus.UNDERSTANDING)
    assert (subscriber.below_knee, subscriber.days_like, subscriber.focus) == (
        "yes",
        "sitting",
        "understanding",
    )


def test_skipping_stores_none(store: Store, clock: FakeClock) -> None:
    store.set_fit(1, clock(), below_knee=BelowKnee.UNSURE, days_like="physical", focus="sleep")
    subscriber = store.set_fit(1, clock(), below_knee=None, focus=None)
    assert (subscriber.below_knee, subscriber.days_like, subscriber.focus) == (
        None,
        "physical",
        None,
    )


@pytest.mark.parametrize(
    "answer",
    [
        {"below_knee": "sitting"},
        {"days_like": "yes"},
        {"focus": "Sleep"},
        {"focus": ""},
    ],
)
def test_an_answer_that_is_not_one_is_refused(
    store: Store, clock: FakeClock, answer: dict[str, str]
) -> None:
    store.set_fit(1, clock(), focus="work")
    # The others are answers: none of them is stored either.
    given = {"below_knee": "no", "days_like": "sitting", "focus": "sleep", **answer}
    with pytest.raises(ValueError):
        store.set_fit(1, clock(), **given)
    subscriber = store.subscriber(1)
    assert subscriber is not None
    assert (subscriber.below_knee, subscriber.days_like, subscriber.focus) == (None, None, "work")


def test_deleting_the_chat_erases_the_answers(store: Store, clock: FakeClock) -> None:
    store.set_fit(1, clock(), below_knee="yes", days_like="on_feet", focus="moving")
    store.delete_chat(1)
    assert store.subscriber(1) is None
