"""A year of daily tips from the library, for every combination of answers (issue 22).

``storage.rules.choosing.choose`` on the real English library, 365 days for each of the 100
combinations of the three answers (unanswered included), several people each (the draw is
seeded by the chat), with a bad day every three weeks (massage held that day, flares
leaned on for three days) and a rising week every ten weeks (massage held, flares leaned
on). Checks what the rule promises, over every day of every simulated person:

- no tip twice within 200 days;
- at least four topics in every week of daily tips;
- no tip about massage on a held day, nor for pain below the knee (no doctor's clearance);

and prints the share of each topic per profile (the never-answered person, each single
answer, and the spread over all 100 combinations), plus how long one choice takes.

    .venv/bin/python bench/tipyear.py [--people N] [--smoke]
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import _common as C

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

START = date(2026, 12, 7)
BAD_DAYS = set(range(10, 365, 21))
RISING = {day for start in range(40, 365, 70) for day in range(start, start + 7)}
HELD = BAD_DAYS | RISING
FLARING = {d + lag for d in BAD_DAYS for lag in range(choosing.FLARE_DAYS)} | RISING


def library() -> Library:
    """The English library, each tip at its place in the files as its slot."""
    tips = load().tips
    return Library.of(tips, {tip.id: slot for slot, tip in enumerate(tips)})


def person(
    tips: Library, profile: Profile, seed: int, days: int
) -> tuple[list[Candidate], list[str], list[float]]:
    """One person's year: the tips, any broken promise, and each choice's seconds."""
    seen, sent, broken, spent = Seen(), [], [], []
    last: dict[str, int] = {}
    for n in range(days):
        day = START + timedelta(days=n)
        situation = Situation(today=day, massage_allowed=n not in HELD, flaring=n in FLARING)
        began = time.perf_counter()
        tip = choose(tips, seen, profile, situation, seed=seed)
        spent.append(time.perf_counter() - began)
        if tip is None:
            broken.append(f"day {n}: nothing chosen")
            continue
        seen.mark(tip.slot, day)
        if n - last.get(tip.id, -10_000) < choosing.REPEAT_DAYS:
            broken.append(f"day {n}: {tip.id} again after {n - last[tip.id]} days")
        last[tip.id] = n
        if tip.about_massage and (n in HELD or profile.below_knee is BelowKnee.YES):
            broken.append(f"day {n}: {tip.id} about massage while held")
        sent.append(tip)
    topics = [tip.topic for tip in sent]
    for week in range(0, len(topics) - 6, 7):
        if len(set(topics[week : week + 7])) < 4:
            broken.append(f"week from day {week}: fewer than four topics")
    return sent, broken, spent


def name(profile: Profile) -> str:
    parts = [
        str(answer)
        for answer in (profile.below_knee, profile.days, profile.focus)
        if answer is not None
    ]
    return "never answered" if not parts else " + ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=5, help="people per combination")
    C.add_smoke(parser)
    args = parser.parse_args()
    people, days = (1, 60) if args.smoke else (args.people, 365)
    tips = library()
    topics = sorted(tips.by_topic)
    profiles = [
        Profile(*answers)
        for answers in itertools.product([None, *BelowKnee], [None, *DaysLike], [None, *Focus])
    ]
    shares: dict[str, Counter[str]] = {}
    broken: list[str] = []
    spent: list[float] = []
    for n, profile in enumerate(profiles):
        counts: Counter[str] = Counter()
        for k in range(people):
            sent, wrong, seconds = person(tips, profile, seed=n * 1000 + k, days=days)
            counts.update(tip.topic for tip in sent)
            broken.extend(f"{name(profile)}: {w}" for w in wrong)
            spent.extend(seconds)
        shares[name(profile)] = counts
    singles = ["never answered", *(str(a) for a in (*BelowKnee, *DaysLike, *Focus))]
    rows = []
    for label in singles:
        counts = shares[label]
        total = sum(counts.values())
        top = ", ".join(f"{t} {100 * c / total:.0f}%" for t, c in counts.most_common(4))
        rows.append([label, len(counts), top])
    print(f"library: {len(tips)} tips in {len(topics)} topics; {people} people x {days} days")
    print(C.table(["profile", "topics in a year", "most often (share of tips)"], rows))
    spread = []
    for topic in topics:
        per = [100 * shares[p][topic] / max(1, sum(shares[p].values())) for p in shares]
        spread.append(
            [topic, f"{min(per):.1f}%", f"{statistics.median(per):.1f}%", f"{max(per):.1f}%"]
        )
    print(C.table(["topic", "min share", "median", "max share"], spread))
    median_us = statistics.median(spent) * 1e6
    p95_us = sorted(spent)[int(0.95 * len(spent))] * 1e6
    print(f"one choice: median {median_us:.0f} µs, p95 {p95_us:.0f} µs ({len(spent)} choices)")
    print(f"broken promises: {len(broken)}")
    for line in broken[:20]:
        print("  ", line)
    C.write_results(
        "tipyear",
        {
            "smoke": args.smoke,
            "library": len(tips),
            "topics": len(topics),
            "people": people,
            "days": days,
            "broken": len(broken),
            "choice_us": {"median": round(median_us, 1), "p95": round(p95_us, 1)},
            "singles": rows,
            "spread": spread,
        },
    )
    if broken:
        sys.exit(1)


if __name__ == "__main__":
    main()
