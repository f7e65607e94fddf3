"""The weekly look back as rendered: a score or a median, weeks compared only with enough
check-ins and named only at a change that matters, and never a suggestion of massage."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from bot.render import progress as render_progress
from content import LANGUAGES, Content, load
from content.markup import check_message, plain
from storage import Checkin
from storage.record import LookBack, Scores

#: A Monday to a Sunday.
DAYS = [date(2026, 11, 23) + timedelta(days=n) for n in range(7)]
TREND_KEYS = ("weekly_trend_lower", "weekly_trend_same", "weekly_trend_higher")


def summary(
    content: Content, week: tuple[int, ...], before: tuple[int, ...] = (), sessions: int = 0
) -> str:
    """The look back with ``week``'s scores on its first days and ``before`` as last week's."""
    last_week = [day - timedelta(days=7) for day in DAYS]
    reply = render_progress.weekly_summary(
        content,
        LookBack(
            days=tuple(DAYS),
            week=Scores.of(map(Checkin, DAYS, week)),
            before=Scores.of(map(Checkin, last_week, before)),
            sessions=sessions,
        ),
    )
    assert reply.keyboard is None
    check_message(reply.text)
    return reply.text


def trend(content: Content, text: str) -> str | None:
    """The trend key whose line the look back holds, if any."""
    found = [key for key in TREND_KEYS if content.message(key) in text]
    assert len(found) <= 1
    return found[0] if found else None


@pytest.fixture(params=LANGUAGES)
def words(request: pytest.FixtureRequest) -> Content:
    return load(request.param)


@pytest.mark.parametrize(
    ("week", "before", "key"),
    [
        pytest.param((3, 3, 3), (5, 5, 5), "weekly_trend_lower", id="two-lower"),
        pytest.param((7, 6, 6), (4, 4, 4), "weekly_trend_higher", id="two-higher"),
        pytest.param((4, 4, 4), (5, 5, 5), "weekly_trend_same", id="one-lower-is-the-same"),
        pytest.param((5, 6, 6), (5, 5, 5), "weekly_trend_same", id="one-higher-is-the-same"),
        pytest.param((2, 9), (5, 5, 5), None, id="two-check-ins-this-week"),
        pytest.param((2, 2, 2), (8, 8), None, id="two-check-ins-the-week-before"),
        pytest.param((2, 2, 2), (), None, id="nothing-the-week-before"),
    ],
)
def test_weeks_are_compared_only_with_three_check_ins_each_and_named_at_two_points(
    words: Content, week: tuple[int, ...], before: tuple[int, ...], key: str | None
) -> None:
    assert trend(words, summary(words, week, before)) == key


def spark(text: str) -> str:
    """The line of bars the look back shows."""
    found = re.search(r"<code>(.*?)</code>", text)
    assert found is not None
    return found.group(1)


def test_one_check_in_is_a_score_not_a_median(words: Content) -> None:
    text = summary(words, (6,), (2, 2, 2))
    assert words.message("weekly_checkins_one", score="6", spark=spark(text)) in text
    assert trend(words, text) is None
    assert not re.search(r"median|中位数", plain(text), re.IGNORECASE)


def test_a_median_says_what_it_is(words: Content) -> None:
    text = summary(words, (4, 5, 6))
    assert words.message("weekly_checkins", count="3", median="5", spark=spark(text)) in text
    assert re.search(r"your middle score|排在中间", plain(text))


#: Words that would suggest massage, a technique or starting a session.
MASSAGE = re.compile(r"massage|knead|/session|/technique|/tip\b|按摩|手法|揉|推法|拿法|按法")


@pytest.mark.parametrize(
    ("week", "before"),
    [
        pytest.param((), (), id="quiet"),
        pytest.param((3,), (), id="one"),
        pytest.param((2, 2, 2), (6, 6, 6), id="lower"),
        pytest.param((7, 7, 7), (2, 2, 2), id="higher"),
        pytest.param((4, 4, 4), (4, 4, 4), id="same"),
    ],
)
def test_the_look_back_never_suggests_massage(
    words: Content, week: tuple[int, ...], before: tuple[int, ...]
) -> None:
    text = plain(summary(words, week, before, sessions=2))
    assert not MASSAGE.search(text), text
