"""Pain check-ins: the 0–10 score range and the rule that spots a rising trend."""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

#: The lowest and highest pain score a check-in takes.
MIN_SCORE = 0
MAX_SCORE = 10
#: Earlier check-ins within this many days before today make up the user's recent median.
WINDOW = timedelta(days=14)
#: The median counts only with at least this many earlier check-ins in the window.
MIN_FOR_MEDIAN = 3
#: A score this many points above the recent median is a rising trend.
RISE_OVER_MEDIAN = 3
#: This many check-ins in a row (today's the last), each higher than the one before, too.
RUN = 3


@dataclass(frozen=True)
class Checkin:
    """One day's pain score."""

    local_date: date
    score: int


def rising(today: Checkin, earlier: Sequence[Checkin]) -> bool:
    """Whether today's score makes a rising trend, judged against earlier check-ins.

    Rising means 3+ points above the median of the earlier check-ins in the last 14 days
    (when there are at least 3 of them), or the last three check-ins each higher than the one
    before, today's included.

    Args:
        today: today's check-in.
        earlier: check-ins from before today's date, in any order (later ones are ignored).
    """
    before = sorted(
        (c for c in earlier if c.local_date < today.local_date), key=lambda c: c.local_date
    )
    recent = [c.score for c in before if c.local_date >= today.local_date - WINDOW]
    if (
        len(recent) >= MIN_FOR_MEDIAN
        and today.score >= statistics.median(recent) + RISE_OVER_MEDIAN
    ):
        return True
    run = [c.score for c in before[-(RUN - 1) :]] + [today.score]
    return len(run) == RUN and all(a < b for a, b in itertools.pairwise(run))


def streak(days: Iterable[date], today: date) -> int:
    """How many days in a row, up to today, have a check-in (or, for /progress's line
    about guided sessions, a session).

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
