"""Pain check-ins' rules: the 0–10 score range, the rule that spots a rising trend, weeks
compared for the weekly look back, and the streak (``storage.checkins`` keeps the scores)."""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

#: The lowest and highest pain score a check-in takes.
MIN_SCORE = 0
MAX_SCORE = 10
#: A change in a 0–10 pain score that matters to people is about 2 points: the minimal
#: clinically important difference (Farrar et al. 2001, Pain 94:149; Ostelo et al. 2008,
#: Spine 33:90, minimal important change for low back pain). A smaller change is noise.
MEANINGFUL_CHANGE = 2
#: A rise counts only within this many days: earlier check-ins within it make up the recent
#: median, and a run of rising check-ins must fit in it.
WINDOW = timedelta(days=14)
#: A median counts only with at least this many check-ins (the recent one, and each week
#: of the weekly look back).
MIN_FOR_MEDIAN = 3
#: A score this many points above the recent median is a rising trend.
RISE_OVER_MEDIAN = MEANINGFUL_CHANGE
#: This many check-ins (today's the last), each higher than the one before, within
#: ``WINDOW`` and ``RISE_OVER_RUN`` or more from the first to the last, are rising too.
RUN = 3
#: Three check-ins each higher than the one before always rise at least 2 points, one point
#: a step (1→2→3), and a point a step is noise: so the run must rise more than
#: ``MEANINGFUL_CHANGE``, which means at least one step is itself a 2-point rise (1→2→4).
RISE_OVER_RUN = MEANINGFUL_CHANGE + 1


@dataclass(frozen=True)
class Checkin:
    """One day's pain score."""

    local_date: date
    score: int


def rising(today: Checkin, earlier: Sequence[Checkin]) -> bool:
    """Whether today's score makes a rising trend, judged against earlier check-ins.

    Rising means a meaningful rise within 14 days: today 2+ points above the median of the
    earlier check-ins in the last 14 days (when there are at least 3 of them), or the last
    three check-ins, today's included and all within 14 days, each higher than the one
    before and 3+ points from the first to the last (1→2→4; 1→2→3, a point a step, is
    noise).

    Args:
        today: today's check-in.
        earlier: check-ins from before today's date, in any order (later ones are ignored).
    """
    since = today.local_date - WINDOW
    recent = sorted(
        (c for c in earlier if since <= c.local_date < today.local_date),
        key=lambda c: c.local_date,
    )
    scores = [c.score for c in recent]
    if (
        len(scores) >= MIN_FOR_MEDIAN
        and today.score >= statistics.median(scores) + RISE_OVER_MEDIAN
    ):
        return True
    run = [*scores[-(RUN - 1) :], today.score]
    return (
        len(run) == RUN
        and all(a < b for a, b in itertools.pairwise(run))
        and run[-1] - run[0] >= RISE_OVER_RUN
    )


class WeekChange(Enum):
    """How a week's scores compare with the week before's, in the weekly look back."""

    LOWER = "lower"
    SAME = "same"
    HIGHER = "higher"


def compare_weeks(week: Sequence[int], before: Sequence[int]) -> WeekChange | None:
    """How this week's median score compares with last week's.

    A change is named only at ``MEANINGFUL_CHANGE`` (2 points) or more; a smaller one is
    "about the same".

    Args:
        week: this week's scores.
        before: the week before's scores.

    Returns:
        The change, or None when either week has fewer than ``MIN_FOR_MEDIAN`` check-ins
        (too few to compare).
    """
    if len(week) < MIN_FOR_MEDIAN or len(before) < MIN_FOR_MEDIAN:
        return None
    change = statistics.median(week) - statistics.median(before)
    if change <= -MEANINGFUL_CHANGE:
        return WeekChange.LOWER
    if change >= MEANINGFUL_CHANGE:
        return WeekChange.HIGHER
    return WeekChange.SAME


def streak(days: Iterable[date], today: date) -> int:
    """How many days in a row, up to today, have a check-in (guided sessions have no
    streak: nothing rewards daily massage).

    A streak that reached yesterday still counts while today has none yet: nothing
    "resets" before a whole day passes.

    Args:
        days: the local dates with one, in any order.
        today: the user's local date.
    """
    checked = set(days)
    day = today if today in checked else today - timedelta(days=1)
    count = 0
    while day in checked:
        count += 1
        day -= timedelta(days=1)
    return count
