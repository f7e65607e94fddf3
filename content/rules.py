"""The clinical safety rules every language's content must keep, checked in one place.

Each rule reads loaded ``Content`` and returns what breaks it, so the tests
(tests/content/test_safety_rules.py) and ``backcare-bot content check`` apply the same rules.
The words each rule looks for differ by language; they live in ``WORDS``, one entry per
language, so a new language must say how each rule reads in it. The facts behind the rules
are in ../shared/reference/safety-facts.md (NICE NG59, KNGF 2021, Cochrane 2015, NHS/RCGP).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from content.loader import Content
from content.markup import plain


@dataclass(frozen=True)
class Group:
    """One group of warning signs on a page: its heading, then the signs it must name."""

    heading: str
    signs: tuple[str, ...]


@dataclass(frozen=True)
class Words:
    """How the rules read in one language: regular expressions, searched case-insensitively."""

    #: A benefit said with "can" where "may" belongs ("can ease pain").
    can_claim: str
    #: The session cap every technique card states.
    session_cap: str
    #: The next-day rule every card's stop section states.
    next_day: str
    #: A stop rule: stop, and a leg sign (all three must be found).
    stop: tuple[str, str, str]
    #: Words that must never appear (a wrong term for a symptom).
    banned: tuple[str, ...]
    #: The groups of warning signs /urgent and /safety must show, in this order.
    groups: tuple[Group, ...]
    #: What the caution check must ask about, one pattern per item.
    caution_items: tuple[str, ...]
    #: Where the quality of evidence is named ...
    quality: str
    #: ... it is named as this.
    low_to_very_low: str
    #: A "Today" line that sends the user off to read instead of doing something.
    read_instead_of_do: str
    #: A warm water bottle or heat pack, and the two warnings that must come with it.
    heat: str
    heat_warnings: tuple[str, str]
    #: The honest framing: massage cannot move the disc.
    not_a_fix: str
    #: Where sentences end.
    sentence_end: str
    #: A guided massage session named in a sentence ...
    sessions: str
    #: ... and a streak, which no sentence about sessions may mention.
    in_a_row: str


WORDS: Mapping[str, Words] = {
    "en": Words(
        can_claim=r"\bcan (?:ease|relieve|reduce|help|relax|loosen|calm|soothe|improve|take)\b",
        session_cap=r"\babout 10 minutes\b",
        next_day=r"\bnext day\b.*\bclinician\b",
        stop=(r"\bstop\b", r"\blegs?\b", r"\bnumb|\btingl"),
        banned=(),
        groups=(
            Group(
                r"\bemergency\b",
                (
                    r"\bpee\b",
                    r"\bbowel",
                    r"\bgenitals\b",
                    r"\bboth legs\b",
                    r"\baccident, fall or injury\b",
                    r"\bchest pain\b",
                    r"\b999\b",
                    r"\b112\b",
                    r"\b911\b",
                ),
            ),
            Group(
                r"\bthe same day\b",
                (r"\bone leg\b", r"\bheel or toes\b", r"\bfever\b", r"\bshivery\b"),
            ),
            Group(
                r"\bsee a doctor (?:soon|promptly)\b",
                (r"\blump or swelling\b", r"\bshape\b", r"\b6 weeks\b", r"\bcancer\b"),
            ),
        ),
        caution_items=(
            r"\bblood thinners\b",
            r"\bbleeding disorder\b",
            r"\bplatelet",
            r"\bDVT\b",
            r"\bfracture\b",
            r"\bosteoporosis\b",
            r"\bsteroids\b",
            r"\bfall or injury\b",
            r"\bbelow the knee\b.*\bsciatica\b",
            r"\bpregnancy\b",
            r"\bcancer\b",
            r"\bfever\b",
            r"\bspine surgery\b",
            r"\bskin\b",
            r"\bherniation\b",
            r"\bsee a doctor\b",
        ),
        quality=r"\bquality\b",
        low_to_very_low=r"\blow to very low quality\b",
        read_instead_of_do=r"\bopen /|\bread (?:the|a|about)\b",
        heat=r"\bwater bottle\b|\bheat pack\b",
        heat_warnings=(r"\bnumb\b", r"\bsleep|\basleep\b"),
        not_a_fix=r"\b(?:cannot|can't|can’t) (?:move|push)\b",
        sentence_end=r"(?<=[.!?])\s+|\n+",
        sessions=r"\bguided sessions?\b|/session\b",
        in_a_row=r"\bin a row\b|\bstreaks?\b|\bconsecutive\b",
    ),
    "zh": Words(
        # 可能 is "may"; 可以 and 能 (not after 不 or 可) are "can".
        can_claim=r"(?:(?<!不)可以|(?<![不可])能够?)(?:缓解|减轻|放松|改善)",
        session_cap=r"10 分钟",
        next_day=r"第二天.*联系医生",
        stop=(r"停", r"腿", r"麻|针刺感"),
        # "Tingling" is 针刺感 or 发麻: 刺痛 is a stabbing pain. One word for fever: 发热.
        banned=(r"刺痛", r"发烧"),
        groups=(
            Group(
                r"紧急情况",
                (
                    r"小便",
                    r"大便|排便",
                    r"生殖器",
                    r"双腿",
                    r"事故、摔倒或外伤",
                    r"胸痛",
                    r"120",
                ),
            ),
            Group(r"当天就医", (r"一条腿", r"脚跟或脚尖", r"发热", r"寒战")),
            Group(r"尽快看医生", (r"肿块或肿胀", r"形状", r"6 周", r"癌症")),
        ),
        caution_items=(
            r"抗凝",
            r"抗血小板",
            r"出血性疾病",
            r"血小板偏低",
            r"血栓",
            r"骨折",
            r"骨质疏松",
            r"糖皮质激素",
            r"摔倒|外伤",
            r"膝盖以下.*坐骨神经痛",
            r"怀孕",
            r"癌症",
            r"发热",
            r"脊柱手术",
            r"皮肤",
            r"椎间盘突出",
            r"看医生",
        ),
        quality=r"证据质量",
        low_to_very_low=r"证据质量低到很低",
        read_instead_of_do=r"打开 /|读一读",
        heat=r"热水袋|热敷包",
        heat_warnings=(r"发麻", r"睡觉"),
        not_a_fix=r"不能(?:让椎间盘复位|把突出的椎间盘推回)",
        sentence_end=r"(?<=[。！？；])|\n+",
        sessions=r"跟练|/session",
        in_a_row=r"连续|天天",
    ),
}

#: Tips the first week of the program must hold: the core advice (NICE NG59, ACP 2017).
CORE_WEEK = frozenset({"stay_active", "short_walks"})
CORE_WEEK_DAYS = 7
#: Comes before the first technique tip: massage is not advised for sciatica (KNGF 2021).
BEFORE_TECHNIQUES = "kngf_not_for_sciatica"


@dataclass(frozen=True)
class Rule:
    """One safety rule: a name for reports, and what breaks it in some content."""

    name: str
    problems: Callable[[Content, Words], Iterator[str]]


def _found(pattern: str, text: str) -> bool:
    return re.search(pattern, text, re.IGNORECASE | re.DOTALL) is not None


def _everything(content: Content) -> Iterator[tuple[str, str]]:
    """Every text the bot can show, as (where, plain text)."""
    for key, value in content.text.items():
        yield f"text.{key}", plain(value)
    for key, value in content.pages.items():
        yield f"pages.{key}", plain(value)
    for technique in content.techniques:
        for field in ("what", "who", "on_yourself", "dose", "helps", "stop"):
            yield f"techniques.{technique.id}.{field}", plain(getattr(technique, field))
        for number, step in enumerate(technique.steps, start=1):
            yield f"techniques.{technique.id}.steps[{number}]", plain(step)
    for tip in content.tips:
        yield f"tips.{tip.id}", plain(tip.text)


def _sentences(text: str, words: Words) -> list[str]:
    return [part.strip() for part in re.split(words.sentence_end, text) if part.strip()]


def may_not_can(content: Content, words: Words) -> Iterator[str]:
    """What massage, warmth or a position does for pain "may" happen; it never "can"."""
    for where, text in _everything(content):
        for match in re.finditer(words.can_claim, text, re.IGNORECASE):
            yield f"{where}: says {match.group(0)!r} where 'may' belongs"


def session_cap(content: Content, words: Words) -> Iterator[str]:
    """Every technique card states the cap for a whole session (about 10 minutes)."""
    for technique in content.techniques:
        if not _found(words.session_cap, plain(technique.dose)):
            yield f"techniques.{technique.id}.dose: no session cap"


def stop_rules(content: Content, words: Words) -> Iterator[str]:
    """Every card's stop section names the leg signs and the next-day rule; every tip that
    teaches a technique carries a stop rule."""
    for technique in content.techniques:
        stop = plain(technique.stop)
        if not all(_found(pattern, stop) for pattern in words.stop):
            yield f"techniques.{technique.id}.stop: no stop rule naming the leg signs"
        if not _found(words.next_day, stop):
            yield f"techniques.{technique.id}.stop: no next-day rule"
    for tip in content.tips:
        if tip.technique is not None and not all(
            _found(pattern, plain(tip.text)) for pattern in words.stop
        ):
            yield f"tips.{tip.id}: teaches a technique without a stop rule"


def banned_words(content: Content, words: Words) -> Iterator[str]:
    """Words that name a symptom wrongly (zh: 刺痛 for tingling) or a second word for it."""
    for where, text in _everything(content):
        for pattern in words.banned:
            if _found(pattern, text):
                yield f"{where}: uses {pattern!r}"


def warning_groups(content: Content, words: Words) -> Iterator[str]:
    """/urgent and /safety sort the warning signs into emergency, same day and see a doctor,
    in that order, each group naming its signs (and the emergency numbers)."""
    for page in ("urgent", "safety"):
        text = plain(content.pages[page])
        starts = []
        for group in words.groups:
            match = re.search(group.heading, text, re.IGNORECASE)
            if match is None:
                yield f"pages.{page}: no group {group.heading!r}"
                break
            starts.append(match.start())
        else:
            if starts != sorted(starts):
                yield f"pages.{page}: the groups are not in order"
                continue
            for index, group in enumerate(words.groups):
                end = starts[index + 1] if index + 1 < len(starts) else len(text)
                section = text[starts[index] : end]
                for sign in group.signs:
                    if not _found(sign, section):
                        yield f"pages.{page}: group {group.heading!r} does not name {sign!r}"


def caution_list(content: Content, words: Words) -> Iterator[str]:
    """The caution check asks about everything a clinician would."""
    check = plain(content.text["caution_check"])
    for item in words.caution_items:
        if not _found(item, check):
            yield f"text.caution_check: does not ask about {item!r}"


def evidence_quality(content: Content, words: Words) -> Iterator[str]:
    """Wherever the quality of the evidence is named, it is "low to very low" (Cochrane)."""
    for where, text in _everything(content):
        for sentence in _sentences(text, words):
            if _found(words.quality, sentence) and not _found(words.low_to_very_low, sentence):
                yield f"{where}: names the quality of evidence without 'low to very low'"


def heat_safety(content: Content, words: Words) -> Iterator[str]:
    """Heat is never suggested without: not on numb skin, not while asleep."""
    for where, text in _everything(content):
        if _found(words.heat, text) and not all(_found(w, text) for w in words.heat_warnings):
            yield f"{where}: suggests heat without the numb-skin and sleep warnings"


def program_order(content: Content, words: Words) -> Iterator[str]:
    """The first week carries the core advice; "not for sciatica" comes before any technique;
    the first technique tip says massage cannot move the disc; tips end with something to do;
    no two tips in a row share a sentence."""
    first_week = {tip.id for tip in content.tips[:CORE_WEEK_DAYS]}
    for tip_id in sorted(CORE_WEEK - first_week):
        yield f"tips.{tip_id}: not in program days 1–{CORE_WEEK_DAYS}"
    positions = {tip.id: tip.position for tip in content.tips}
    techniques = [tip for tip in content.tips if tip.technique is not None]
    if techniques and positions.get(BEFORE_TECHNIQUES, 0) >= techniques[0].position:
        yield f"tips.{BEFORE_TECHNIQUES}: must come before tips.{techniques[0].id}"
    if techniques and not _found(words.not_a_fix, plain(techniques[0].text)):
        yield f"tips.{techniques[0].id}: does not say massage cannot move the disc"
    for tip in content.tips:
        today = plain(tip.text).splitlines()[-1]
        if _found(words.read_instead_of_do, today):
            yield f"tips.{tip.id}: ends by sending the user off to read"
    for before, after in zip(content.tips, content.tips[1:], strict=False):
        shared = set(_sentences(plain(before.text), words)) & set(
            _sentences(plain(after.text), words)
        )
        if shared:
            yield f"tips.{after.id}: repeats tips.{before.id}: {sorted(shared)[0]!r}"


def no_session_streak(content: Content, words: Words) -> Iterator[str]:
    """Guided sessions are counted, never a streak: no message about them (its key names
    sessions, or a sentence names one) mentions days in a row. Massage is at most an add-on
    to staying active (NICE NG59), so nothing rewards a daily habit of it."""
    for where, text in _everything(content):
        if "session" in where.split(".", 1)[-1]:
            about = [text]
        else:
            about = [s for s in _sentences(text, words) if _found(words.sessions, s)]
        if any(_found(words.in_a_row, sentence) for sentence in about):
            yield f"{where}: a streak of guided sessions"


RULES = (
    Rule("may, not can", may_not_can),
    Rule("session cap on every card", session_cap),
    Rule("stop rules", stop_rules),
    Rule("words for symptoms", banned_words),
    Rule("warning signs sorted", warning_groups),
    Rule("caution check items", caution_list),
    Rule("evidence quality", evidence_quality),
    Rule("heat safety", heat_safety),
    Rule("program order", program_order),
    Rule("no streak of sessions", no_session_streak),
)


def problems(content: Content) -> list[str]:
    """Every safety rule broken in ``content``, as "rule: where: what".

    Raises:
        KeyError: if ``WORDS`` does not say how the rules read in the content's language.
    """
    words = WORDS[content.language]
    return [f"{rule.name}: {found}" for rule in RULES for found in rule.problems(content, words)]
