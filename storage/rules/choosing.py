"""Which tip comes next after the 30-day program: one rule, shared by the daily tip, /tip
and the program's end.

The library (every tip after the program) is not read in file order. A topic is drawn
first, then one of its tips the person has not had for ``REPEAT_DAYS`` days; the topics
are weighted:

- towards the topics their answers point at (``FAVOURS``: pain below the knee, what their
  days are like, what matters most now), ``FAVOURED`` times;
- towards flares and pacing (and worry and mood) after a bad day or rising check-ins,
  ``LEAN`` times;
- away from a topic they marked 👎 (``LESS``), and a little away from topics only some
  people need (``NICHE``: pregnancy, older age);
- never a topic of the last ``RECENT`` tips, so any four tips in a row hold four topics
  (at least four topics in any week of daily tips);
- never a tip about massage while the safety decision holds massage, and never one for pain
  below the knee until a doctor has cleared massage (the caution check's "cleared").

The draw is seeded by the chat and the day, so a claim that is retried picks the same tip.
If every tip was had within ``REPEAT_DAYS`` (a library smaller than that), the one had
longest ago comes.

Each chat's history is one small blob (``Seen``): the last ``RECENT`` tips, and per tip
slot the day it was last sent.
"""

from __future__ import annotations

import random
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TypeVar

from content import Tip

StrEnumT = TypeVar("StrEnumT", bound=StrEnum)

#: No tip comes twice within this many days.
REPEAT_DAYS = 200
#: No topic of the last this many tips comes next.
RECENT = 3
FAVOURED = 4.0
LEAN = 4.0
LESS = 0.25
NICHE = 0.5
#: Topics only some people need: drawn half as often unless an answer favours them.
NICHE_TOPICS = frozenset({"pregnancy", "older_age"})
#: Topics a bad day or rising check-ins lean towards.
FLARE_TOPICS = frozenset({"flares", "mind"})
#: How long after a bad day the lean lasts, in days (the day itself and the next two).
FLARE_DAYS = 3
#: Day numbers count from here (two bytes a day number lasts until 2179).
EPOCH = date(2000, 1, 1)


class BelowKnee(StrEnum):
    """Does pain run below the knee?"""

    YES = "yes"
    NO = "no"
    UNSURE = "unsure"


class DaysLike(StrEnum):
    """What the person's days are like."""

    SITTING = "sitting"
    ON_FEET = "on_feet"
    PHYSICAL = "physical"
    NOT_WORKING = "not_working"


class Focus(StrEnum):
    """What matters most now."""

    SLEEP = "sleep"
    WORK = "work"
    MOVING = "moving"
    UNDERSTANDING = "understanding"


#: The topics each answer favours.
FAVOURS: Mapping[StrEnum, frozenset[str]] = {
    BelowKnee.YES: frozenset({"sciatica", "whom_to_see"}),
    BelowKnee.NO: frozenset(),
    BelowKnee.UNSURE: frozenset({"whom_to_see"}),
    DaysLike.SITTING: frozenset({"sitting", "exercise"}),
    DaysLike.ON_FEET: frozenset({"physical_work", "moving"}),
    DaysLike.PHYSICAL: frozenset({"physical_work", "lifting"}),
    DaysLike.NOT_WORKING: frozenset({"moving", "returning"}),
    Focus.SLEEP: frozenset({"sleep", "mind"}),
    Focus.WORK: frozenset({"returning", "travel"}),
    Focus.MOVING: frozenset({"moving", "exercise", "staying_well"}),
    Focus.UNDERSTANDING: frozenset({"scans", "sciatica", "treatments", "procedures"}),
}


@dataclass(frozen=True)
class Profile:
    """The person's answers to the three questions; None: not answered (or skipped)."""

    below_knee: BelowKnee | None = None
    days: DaysLike | None = None
    focus: Focus | None = None

    def favoured(self) -> frozenset[str]:
        """The topics the answers point at."""
        answers = [a for a in (self.below_knee, self.days, self.focus) if a is not None]
        return frozenset().union(*(FAVOURS[answer] for answer in answers))


@dataclass(frozen=True)
class Candidate:
    """A library tip as the rule sees it."""

    slot: int
    id: str
    topic: str
    about_massage: bool


@dataclass(frozen=True)
class Situation:
    """What the rule needs to know about the person today."""

    today: date
    #: The safety decision allows massage today.
    massage_allowed: bool
    #: A doctor has cleared massage (the caution check's answer).
    cleared: bool = False
    #: A bad day within ``FLARE_DAYS``, or check-ins rising.
    flaring: bool = False
    #: Topics the person marked 👎 (more 👎 than 👍 in that topic).
    less_of: frozenset[str] = frozenset()


def day_number(day: date) -> int:
    """``day`` as the number the history keeps (days since ``EPOCH``, at least 1)."""
    return max(1, day.toordinal() - EPOCH.toordinal())


def day_of(number: int) -> date:
    """The date of a day number the history keeps (``day_number``'s inverse)."""
    return date.fromordinal(EPOCH.toordinal() + number)


class Seen:
    """One chat's history: per tip slot, the day number it was last sent (0: never), and
    the slots of the last ``RECENT`` tips, newest first.

    Stored as one blob of two-byte numbers: the ``RECENT`` last slots (each plus one; 0:
    none), then the day of each slot."""

    def __init__(self, blob: bytes | None = None) -> None:
        numbers = array("H")
        if blob:
            numbers.frombytes(blob[: len(blob) - len(blob) % 2])
        self.last_slots = [n - 1 for n in numbers[:RECENT] if n]
        self.days = numbers[RECENT:]

    @classmethod
    def of(cls, sent: Iterable[tuple[int, date]]) -> Seen:
        """A history from (slot, day) pairs, oldest first; the latest day of a slot counts."""
        seen = cls()
        for slot, day in sorted(sent, key=lambda pair: pair[1]):
            seen.mark(slot, day)
        return seen

    def mark(self, slot: int, day: date) -> None:
        """The tip in ``slot`` was sent on ``day``."""
        if slot >= len(self.days):
            self.days.extend([0] * (slot + 1 - len(self.days)))
        self.days[slot] = max(self.days[slot], day_number(day))
        self.last_slots = [slot, *(s for s in self.last_slots if s != slot)][:RECENT]

    def marked(self, slot: int, day: date) -> bytes:
        """The history as stored, with the tip in ``slot`` sent on ``day`` (this one is
        left as it is)."""
        copy = Seen()
        copy.days = array("H", self.days)
        copy.last_slots = list(self.last_slots)
        copy.mark(slot, day)
        return copy.blob()

    def last(self, slot: int) -> int:
        """The day number the tip in ``slot`` was last sent (0: never)."""
        return self.days[slot] if slot < len(self.days) else 0

    def recent(self) -> list[int]:
        """The slots of the last ``RECENT`` tips sent, the newest first."""
        return list(self.last_slots)

    def blob(self) -> bytes:
        """The history as stored."""
        head = array("H", [slot + 1 for slot in self.last_slots])
        head.extend([0] * (RECENT - len(head)))
        return (head + self.days).tobytes()


class Library:
    """The library as the rule reads it: the tips by topic, in a fixed order."""

    def __init__(self, tips: Iterable[Candidate]) -> None:
        self.tips = tuple(tips)
        by_topic: dict[str, list[Candidate]] = {}
        for tip in self.tips:
            by_topic.setdefault(tip.topic, []).append(tip)
        self.by_topic = {topic: tuple(found) for topic, found in by_topic.items()}
        self.topic_of = {tip.slot: tip.topic for tip in self.tips}

    @classmethod
    def of(cls, tips: Iterable[Tip], slots: Mapping[str, int]) -> Library:
        """The library among ``tips`` (those after the program), each at its slot in a
        chat's history (a tip without one is left out)."""
        return cls(
            Candidate(slots[tip.id], tip.id, tip.topic, tip.about_massage)
            for tip in tips
            if tip.program_day is None and tip.id in slots
        )

    def __len__(self) -> int:
        return len(self.tips)


def choose(
    library: Library,
    seen: Seen,
    profile: Profile,
    situation: Situation,
    *,
    seed: int,
) -> Candidate | None:
    """The next library tip for this person, or None if the library is empty (or every
    tip is about massage and massage is held).

    A topic is drawn first, in proportion to its weight, among the topics not of the last
    ``RECENT`` tips; then one of its tips not had for ``REPEAT_DAYS``, evenly. A topic with
    none left drops out of the draw. It runs once per daily tip claimed: a few dozen
    operations, not one per tip of the library."""
    today = day_number(situation.today)
    draw = random.Random(seed * 100_003 + today)
    recent = {library.topic_of.get(slot) for slot in seen.recent()}
    favoured = profile.favoured()
    weights = {
        topic: _weight(topic, favoured, situation)
        for topic in library.by_topic
        if topic not in recent
    }
    while weights:
        topic = draw.choices(list(weights), list(weights.values()))[0]
        fresh = _fresh(library.by_topic[topic], seen, profile, situation, today)
        if fresh:
            return fresh[draw.randrange(len(fresh))]
        del weights[topic]
    # Nothing new outside the last tips' topics: their topics, then the tip had longest ago.
    for topic in sorted(t for t in recent if t is not None and t in library.by_topic):
        fresh = _fresh(library.by_topic[topic], seen, profile, situation, today)
        if fresh:
            return fresh[draw.randrange(len(fresh))]
    allowed = [tip for tip in library.tips if _may(tip, profile, situation)]
    return min(allowed, key=lambda tip: (seen.last(tip.slot), tip.slot), default=None)


def _fresh(
    tips: Sequence[Candidate], seen: Seen, profile: Profile, situation: Situation, today: int
) -> list[Candidate]:
    """The tips that may come: not had for ``REPEAT_DAYS``, and allowed today."""
    return [
        tip
        for tip in tips
        if today - seen.last(tip.slot) >= REPEAT_DAYS and _may(tip, profile, situation)
    ]


def _may(tip: Candidate, profile: Profile, situation: Situation) -> bool:
    if not tip.about_massage:
        return True
    if not situation.massage_allowed:
        return False
    # Massage is not the treatment for pain below the knee (KNGF 2021): not until a doctor
    # has cleared it.
    return profile.below_knee is not BelowKnee.YES or situation.cleared


def _weight(topic: str, favoured: frozenset[str], situation: Situation) -> float:
    weight = 1.0
    if topic in favoured:
        weight *= FAVOURED
    elif topic in NICHE_TOPICS:
        weight *= NICHE
    if situation.flaring and topic in FLARE_TOPICS:
        weight *= LEAN
    if topic in situation.less_of:
        weight *= LESS
    return weight
