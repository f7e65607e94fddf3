"""/progress: a word instead of a chart without check-ins; the chart's caption."""

from __future__ import annotations

import pytest

from bot.render import progress as render_progress
from bot.render.common import Reply
from content import Content
from content.markup import check_message, plain
from storage import Store
from tests.conftest import FakeClock


def test_progress_without_check_ins_explains_instead_of_a_chart(
    content: Content, store: Store, clock: FakeClock
) -> None:
    reply = render_progress.progress(content, store.record(1, clock()))
    assert isinstance(reply, Reply)
    assert reply.text == content.message("progress_none")


@pytest.mark.parametrize(
    ("scores", "median"),
    [
        pytest.param([6], "6", id="one"),
        pytest.param([2, 5], "3.5", id="half-point-median"),
        pytest.param([3, 4, 9], "4", id="three"),
    ],
)
def test_progress_caption_sums_up_the_chart(
    content: Content, store: Store, clock: FakeClock, scores: list[int], median: str
) -> None:
    store.subscribe(1, clock())
    for score in scores:
        store.check_in(1, score, clock())
        clock.advance(days=1)
    data = store.record(1, clock())
    photo = render_progress.progress(content, data)
    assert isinstance(photo, render_progress.Chart)
    assert render_progress.progress_picture(content, data).startswith(b"\x89PNG\r\n\x1a\n")
    subscribed = content.message("progress_subscribed", days=str(len(scores) + 1))
    assert photo.caption == content.message(
        "progress_summary",
        count=str(len(scores)),
        median=median,
        streak=str(len(scores)),
        subscribed=subscribed,
    )
    check_message(photo.caption)  # raises if Telegram would refuse it
    assert len(plain(photo.caption)) <= 1024
