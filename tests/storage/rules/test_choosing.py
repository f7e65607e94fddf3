"""The rule that picks the next library tip (``storage.rules.choosing``), on the real library:
no repeat within 200 days, four topics in any four tips, the safety state, the answers, a
bad day and 👎 - and a year of daily tips for every combination of answers."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import date, timedelta

import pytest

from content import load
from storage import choosing
from storage.rules.choosing import (
    BelowKnee,
    Candidate,
    DaysLike,
    Focus,
    Library,
    Profile,
    Seen,
    Situation,
    choose,
)

TODAY = date(2026, 12, 7)


def library() -> Library:
    """The English library, each tip at its place in the files as its slot."""
    tips = load().tips
    return Library.of(tips, {tip.id: slot for slot, tip in enumerate(tips)})


LIBRARY = library()


def allowed(**values: object) -> Situation:
    return Situation(today=TODAY, massage_allowed=True, **values)  # type: ignore[arg-type]


def year(
    profile: Profile,
    *,
    seed: int = 7,
    held: set[int] = frozenset(),  # type: ignore[assignment]
    flaring: set[int] = frozenset(),  # type: ignore[assignment]
    cleared: bool = False,
    less_of: frozenset[str] = frozenset(),
    days: int = 365,
) -> list[tuple[int, Candidate]]:
    """A daily tip for ``days`` days: (day index, tip)."""
    seen = Seen()
    sent = []
    for n in range(days):
        day = TODAY + timedelta(days=n)
        situation = Situation(
            today=day,
            massage_allowed=n not in held,
            cleared=cleared,
            flaring=n in flaring,
            less_of=less_of,
        )
        tip = choose(LIBRARY, seen, profile, situation, seed=seed)
        assert tip is not None
        seen.mark(tip.slot, day)
        sent.append((n, tip))
    return sent


def test_the_library_holds_at_least_200_tips_after_the_program() -> None:
    assert len(LIBRARY) >= 200
    assert len(LIBRARY.by_topic) >= 20


def test_no_tip_comes_twice_within_200_days() -> None:
    last: dict[str, int] = {}
    for n, tip in year(Profile()):
        assert n - last.get(tip.id, -10_000) >= choosing.REPEAT_DAYS, tip.id
        last[tip.id] = n


def test_any_four_tips_in_a_row_hold_four_topics() -> None:
    topics = [tip.topic for _, tip in year(Profile(focus=Focus.SLEEP))]
    for start in range(len(topics) - 3):
        assert len(set(topics[start : start + 4])) == 4
    weeks = [set(topics[week : week + 7]) for week in range(0, len(topics) - 6, 7)]
    assert min(len(week) for week in weeks) >= 4


def test_the_same_day_picks_the_same_tip_and_chats_differ() -> None:
    """A retried claim picks what the first try picked; two people do not walk in step."""
    first = choose(LIBRARY, Seen(), Profile(), allowed(), seed=1)
    assert first == choose(LIBRARY, Seen(), Profile(), allowed(), seed=1)
    picks = {choose(LIBRARY, Seen(), Profile(), allowed(), seed=chat) for chat in range(20)}
    assert len(picks) > 5


def test_no_massage_tip_while_massage_is_held() -> None:
    held = set(range(0, 365, 2))
    for n, tip in year(Profile(), held=held):
        if n in held:
            assert not tip.about_massage


def test_pain_below_the_knee_gets_no_massage_tip_until_a_doctor_cleared_it() -> None:
    below = Profile(below_knee=BelowKnee.YES)
    assert not any(tip.about_massage for _, tip in year(below))
    assert any(tip.about_massage for _, tip in year(below, cleared=True))
    assert any(tip.about_massage for _, tip in year(Profile(below_knee=BelowKnee.NO)))


@pytest.mark.parametrize(
    ("profile", "topics"),
    [
        (Profile(days=DaysLike.SITTING), {"sitting"}),
        (Profile(days=DaysLike.PHYSICAL), {"physical_work", "lifting"}),
        (Profile(focus=Focus.SLEEP), {"sleep"}),
        (Profile(focus=Focus.UNDERSTANDING), {"scans", "treatments"}),
        (Profile(below_knee=BelowKnee.YES), {"sciatica"}),
    ],
)
def test_answers_favour_their_topics(profile: Profile, topics: set[str]) -> None:
    """In the first 60 days (five people each) the favoured topics come at least half as
    often again as for people who never answered."""

    def share(of: Profile) -> int:
        return sum(
            tip.topic in topics for seed in range(5) for _, tip in year(of, seed=seed, days=60)
        )

    assert share(profile) >= 1.5 * share(Profile())


def test_a_bad_day_leans_towards_flares_and_pacing() -> None:
    flaring = set(range(60))
    lean = sum(
        tip.topic in choosing.FLARE_TOPICS for _, tip in year(Profile(), flaring=flaring, days=60)
    )
    plain = sum(tip.topic in choosing.FLARE_TOPICS for _, tip in year(Profile(), days=60))
    assert lean > plain + 3


def test_a_topic_marked_thumbs_down_comes_less() -> None:
    less = frozenset({"sleep"})
    fewer = sum(tip.topic == "sleep" for _, tip in year(Profile(), less_of=less, days=100))
    usual = sum(tip.topic == "sleep" for _, tip in year(Profile(), days=100))
    assert fewer < usual


def test_the_history_round_trips_through_its_blob() -> None:
    seen = Seen.of([(3, TODAY), (250, TODAY - timedelta(days=5)), (3, TODAY - timedelta(days=9))])
    again = Seen(seen.blob())
    assert again.last(3) == choosing.day_number(TODAY)
    assert again.last(250) == choosing.day_number(TODAY - timedelta(days=5))
    assert again.last(4) == 0 and again.last(10_000) == 0
    assert again.recent() == [3, 250]


def test_with_everything_had_recently_the_one_had_longest_ago_comes() -> None:
    small = LIBRARY.tips[:5]
    seen = Seen.of((tip.slot, TODAY - timedelta(days=5 - n)) for n, tip in enumerate(small))
    assert choose(Library(small), seen, Profile(), allowed(), seed=3) == small[0]


def test_nothing_to_choose_is_none() -> None:
    massage_only = Library(tip for tip in LIBRARY.tips if tip.about_massage)
    assert len(massage_only)
    held = Situation(today=TODAY, massage_allowed=False)
    assert choose(massage_only, Seen(), Profile(), held, seed=1) is None
    assert choose(Library([]), Seen(), Profile(), allowed(), seed=1) is None


def profiles() -> list[Profile]:
    """Every combination of answers, unanswered included."""
    return [
        Profile(knee, days, focus)
        for knee, days, focus in itertools.product(
            [None, *BelowKnee], [None, *DaysLike], [None, *Focus]
        )
    ]


def test_a_year_for_every_combination_of_answers() -> None:
    """365 daily tips for each of the 100 combinations of answers, with a bad day every 3
    weeks (massage held that day, flares leaned on for three) and a rising week every 10
    weeks (massage held): no repeat within 200 days, four topics in every week, no massage
    tip while held or (below the knee) before a doctor cleared it."""
    bad_days = set(range(10, 365, 21))
    flaring = {day + lag for day in bad_days for lag in range(choosing.FLARE_DAYS)}
    rising = {day for start in range(40, 365, 70) for day in range(start, start + 7)}
    held = bad_days | rising
    for n, profile in enumerate(profiles()):
        sent = year(profile, seed=n, held=held, flaring=flaring | rising)
        last: dict[str, int] = {}
        for day, tip in sent:
            assert day - last.get(tip.id, -10_000) >= choosing.REPEAT_DAYS
            last[tip.id] = day
            if tip.about_massage:
                assert day not in held
                assert profile.below_knee is not BelowKnee.YES
        topics = [tip.topic for _, tip in sent]
        assert all(len(set(topics[w : w + 7])) >= 4 for w in range(0, 365 - 6, 7))
        assert Counter(topics)
