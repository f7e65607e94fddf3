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

from content import pictures
from content.loader import SESSION_CAP_SECONDS, Content
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
    #: A button named by its place ("the last button"), not by its words.
    button_by_place: str
    #: A card's dose in minutes ("About 3 minutes", "2–3 minutes"): the first one in the dose.
    minutes: str
    #: Strokes and the seconds of each ("10 slow strokes of about 10 seconds").
    strokes: str
    #: "If you combine techniques, shorten each", in the card's own words.
    combine: str
    #: Lying on the side with a pillow between the knees: the first step of a session offers it.
    side_lying: str
    #: What every sentence naming a point never to press (pictures.toml's [dont_press]:
    #: Huantiao GB30, Weizhong BL40) must say.
    dont_press: str
    #: Wordings that must never appear, each with the reason, for the report.
    avoid: tuple[tuple[str, str], ...]
    #: Emergency numbers: wherever one is named, all are, and the line for everywhere else.
    emergency_numbers: tuple[str, ...]
    local_number: str
    #: A guided massage session named in a sentence ...
    sessions: str
    #: ... and a streak, which no sentence about sessions may mention.
    in_a_row: str
    #: A tip's last line: one thing to do today.
    today: str
    #: A promise to cure or fix.
    cure: str
    #: A medicine or an injection named in a tip ...
    medicine: str
    #: ... and who to ask about it (or "ask").
    ask_who: str
    #: A "Today" line that invites a massage today: the tip must carry the massage flag.
    invites_massage: str


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
                (
                    r"\bnumbness, pins and needles or pain in one leg\b",
                    r"\blump or swelling\b",
                    r"\bshape\b",
                    r"\b6 weeks\b",
                    r"\bcancer\b",
                ),
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
        button_by_place=r"\b(?:first|last|top|bottom|second|third)(?: \w+)? button\b",
        minutes=r"\b(\d+)(?:–(\d+))? minutes?\b",
        strokes=r"\b(\d+)(?:–(\d+))? slow strokes of about (\d+) seconds\b",
        combine=r"\bcombin\w*\b.*\bshorten\b",
        side_lying=r"\bon your side\b.*\bpillow between\b",
        dont_press=r"\b(?:don't|don’t|do not|never) press\b",
        avoid=(
            (
                r"\b(?:ease|reduce|relieve|calm|lessen|fight)s?\b[^.]{0,30}\binflammation",
                "massage is not shown to reduce inflammation around the disc",
            ),
            (
                r"\blift\w*\b[^.!?\n]*\b(?:right|correct|proper) (?:way|technique)\b"
                r"|\b(?:right|correct|proper) (?:way|technique) to lift\b",
                "lifting 'the right way' does not prevent back pain and feeds fear of movement",
            ),
        ),
        emergency_numbers=(r"\b999\b", r"\b112\b", r"\b911\b"),
        local_number=r"\b(?:an|your|local) emergency number\b",
        sessions=r"\bguided sessions?\b|/session\b",
        in_a_row=r"\bin a row\b|\bstreaks?\b|\bconsecutive\b",
        today=r"^Today: \S",
        cure=r"\b(?:cure[sd]?|curing|heal(?:s|ed|ing)?|repair(?:s|ed|ing)?|realign\w*"
        r"|fix(?:es|ed|ing)?\s+(?:the|your|a)\s+(?:herniated\s+)?(?:disc|back|spine|herniation))\b",
        medicine=r"\b(?:medicines?|medication|painkillers?|pain relief|NSAIDs?|paracetamol|opioids?"
        r"|gabapentin\w*|pregabalin|antiepileptics?|benzodiazepines?|steroids?|injections?"
        r"|blood thinners?|tablets?|pills?)\b",
        ask_who=r"\bask\w*\b|\b(?:doctor|pharmacist|GP|surgeon|midwife|clinician|specialist)s?\b",
        invites_massage=r"\b(?:try|have|get|give|enjoy|book)\b[^.]{0,30}\bmassage\b"
        r"|\bask (?:a |your )?(?:helper|partner|someone)\b[^.]{0,40}"
        r"\b(?:massage|circles|knead\w*|press\w*|strokes?)\b|\bpalm circles\b|\bsqueezes\b",
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
            Group(
                r"尽快看医生",
                (r"一条腿新出现麻木、针刺感或疼痛", r"肿块或肿胀", r"形状", r"6 周", r"癌症"),
            ),
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
        button_by_place=r"(?:第.|最后|最上面|最下面)的?一?个?按钮",
        minutes=r"(\d+)(?:–(\d+))? 分钟",
        strokes=r"(\d+)(?:–(\d+))? 次，每次约 (\d+) 秒",
        combine=r"一起做.*缩短",
        side_lying=r"侧躺.*两膝之间夹一个枕头",
        dont_press=r"(?:不要|别|切勿)按",
        avoid=(
            (
                r"(?:减轻|减少|缓解|消除|消)[^。]{0,8}炎",
                "massage is not shown to reduce inflammation around the disc",
            ),
            (r"紧急[^。\n]{0,8}当天就医|当天就医[^。\n]{0,8}紧急", "当天就医 is not 紧急"),
            (r"理疗师|(?<!康复)治疗师", "the word for a physiotherapist is 康复治疗师"),
            (r"得过[^。，；]{0,4}血栓", "a current clot is 有静脉血栓（深静脉血栓）, not 得过"),
            (r"尖锐", "say 疼痛突然加剧、像刀割一样"),
            (
                r"(?:搬|提|抬)[^。！？\n]*正确的?(?:方法|姿势|方式)"
                r"|正确的?(?:方法|姿势|方式)[^。！？\n]*(?:搬|提|抬)",
                "lifting 'the right way' does not prevent back pain and feeds fear of movement",
            ),
        ),
        # Mainland China, Hong Kong, Taiwan.
        emergency_numbers=(r"(?<!\d)120(?!\d)", r"香港 ?999", r"台湾 ?119"),
        local_number=r"其他地方.*当地的急救电话",
        sessions=r"跟练|/session",
        in_a_row=r"连续|天天",
        today=r"^今天：\S",
        # In quotes, a word is named to warn about it ("正骨""复位"), not promised.
        cure=r"治愈|根治|痊愈|(?<!“)(?:治好|修复|复位)(?!”)",
        medicine=r"(?<!非)药|止痛|激素|注射|针剂",
        ask_who=r"问|医生|药师|助产士|专科",
        invites_massage=r"(?:试试|请[^。，；]{0,6})[^。，；]{0,10}(?:按摩|揉|按一按|按住|推|捏)"
        r"|打圈揉|轻轻按一按|轻轻按住|轻轻捏",
    ),
}

#: How far a card's minutes and its guided session may differ, in seconds.
DOSE_SLACK_SECONDS = 30

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
    for table in ("profile", "buttons", "answers", "commands"):
        for key, value in getattr(content, table).items():
            yield f"{table}.{key}", plain(value)
    for key, value in content.pages.items():
        yield f"pages.{key}", plain(value)
    for technique in content.techniques:
        for field in ("what", "who", "on_yourself", "dose", "helps", "stop"):
            yield f"techniques.{technique.id}.{field}", plain(getattr(technique, field))
        for number, step in enumerate(technique.steps, start=1):
            yield f"techniques.{technique.id}.steps[{number}]", plain(step)
    for tip in content.tips:
        yield f"tips.{tip.id}", plain(tip.text)
    for key, source in content.sources.items():
        yield f"sources.{key}", plain(f"{source.name} ({source.year}): {source.line}")


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


def checkin_button(content: Content, words: Words) -> Iterator[str]:
    """The check-in names its warning-signs button by the button's words, never by its place:
    buttons move (the last one became "Bad day")."""
    checkin = plain(content.text["checkin"])
    label = plain(content.buttons["checkin_red_flag"])
    if label.casefold() not in checkin.casefold():
        yield f"text.checkin: does not name the button {label!r}"
    if match := re.search(words.button_by_place, checkin, re.IGNORECASE):
        yield f"text.checkin: names a button by its place: {match.group(0)!r}"


def _most(match: re.Match[str], group: int) -> int:
    """The upper end of "2–3" (groups ``group`` and ``group + 1``), or the one number."""
    return int(match.group(group + 1) or match.group(group))


def doses(content: Content, words: Words) -> Iterator[str]:
    """The cards and the guided sessions fit the session cap together: all sessions, and all
    cards' minutes, add up to at most the cap; each card's minutes match its session; each
    card says to shorten each technique when combining them; strokes × seconds make the
    minutes and fit in the session (safety-facts.md "One safety state")."""
    cap = SESSION_CAP_SECONDS
    sessions = sum(technique.session_seconds for technique in content.techniques)
    if sessions > cap:
        yield f"sessions.toml: the guided sessions add up to {sessions} s, the cap is {cap} s"
    cards = 0
    for technique in content.techniques:
        where, dose = f"techniques.{technique.id}.dose", plain(technique.dose)
        session = technique.session_seconds
        if not _found(words.combine, dose):
            yield f"{where}: does not say to shorten each technique when combining them"
        minutes = re.search(words.minutes, dose)
        if minutes is None:
            yield f"{where}: names no minutes"
            continue
        seconds = 60 * _most(minutes, 1)
        cards += seconds
        if abs(session - seconds) > DOSE_SLACK_SECONDS:
            yield f"{where}: says {minutes.group(0)!r}, its guided session runs {session} s"
        if strokes := re.search(words.strokes, dose):
            stroking = _most(strokes, 1) * int(strokes.group(3))
            if abs(stroking - seconds) > DOSE_SLACK_SECONDS or stroking > session:
                yield (
                    f"{where}: {strokes.group(0)!r} take {stroking} s, not {minutes.group(0)!r}"
                    f" within a {session} s session"
                )
    if cards > cap:
        yield f"techniques: the cards' doses add up to {cards} s, the cap is {cap} s"


def first_step(content: Content, words: Words) -> Iterator[str]:
    """A guided session's first step, read before anything starts, offers lying on the side
    with a pillow between the knees and says when to stop."""
    for technique in content.techniques:
        step = plain(technique.steps[0])
        if not _found(words.side_lying, step):
            yield f"techniques.{technique.id}.steps[1]: does not offer lying on the side"
        if not all(_found(pattern, step) for pattern in words.stop):
            yield f"techniques.{technique.id}.steps[1]: no stop rule"


def points_not_to_press(language: str) -> dict[str, str]:
    """Each point never to press (pictures.toml's [dont_press], the one list) by its code
    ("GB30"), with a pattern that finds it named: by its code or its name, in the language's
    own labels."""
    labels = pictures.load_labels(language)
    found = {}
    for code in pictures.dont_press(language):
        shown = code.upper().replace("_", "-")
        names = [shown, pictures.point_name(labels[f"points.{code}"])]
        found[shown] = "|".join(
            # Latin letters next to a Chinese character: \b would not see the edge.
            rf"(?<![A-Za-z0-9]){re.escape(name)}(?![A-Za-z0-9])"
            if name.isascii()
            else re.escape(name)
            for name in names
        )
    return found


def dont_press_points(content: Content, words: Words) -> Iterator[str]:
    """Wherever a point never to press is named (GB30 over the sciatic nerve, BL40 over the
    popliteal artery and vein: DVT risk), the same sentence says "don't press", not only
    "no firm pressure"."""
    points = points_not_to_press(content.language)
    for where, text in _everything(content):
        for sentence in _sentences(text, words):
            if _found(words.dont_press, sentence):
                continue
            for code, pattern in points.items():
                if _found(pattern, sentence):
                    yield f'{where}: names {code} without "don\'t press": {sentence!r}'


def emergency_numbers(content: Content, words: Words) -> Iterator[str]:
    """Wherever an emergency number is named, every one is, with the line for other places
    (zh: 120 on the mainland, 999 in Hong Kong, 119 in Taiwan, else the local number)."""
    for where, text in _everything(content):
        if any(_found(number, text) for number in words.emergency_numbers):
            for wanted in (*words.emergency_numbers, words.local_number):
                if not _found(wanted, text):
                    yield f"{where}: names emergency numbers without {wanted!r}"


def avoided_wordings(content: Content, words: Words) -> Iterator[str]:
    """Wordings a clinical review asked to drop: a claim without evidence, a wrong word."""
    for where, text in _everything(content):
        for pattern, why in words.avoid:
            if match := re.search(pattern, text, re.IGNORECASE):
                yield f"{where}: says {match.group(0)!r}: {why}"


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


def tip_shape(content: Content, words: Words) -> Iterator[str]:
    """Every tip: a bold title line, one to three sentences, then one thing to do today in
    italics; a topic and a source that /sources lists."""
    for tip in content.tips:
        where = f"tips.{tip.id}"
        lines = tip.text.split("\n")
        if len(lines) < 3 or not re.fullmatch(r"<b>[^<>\n]+</b>", lines[0]):
            yield f"{where}: the first line must be the title, in bold"
            continue
        last = lines[-1]
        if not (
            last.startswith("<i>") and last.endswith("</i>") and _found(words.today, plain(last))
        ):
            yield f"{where}: the last line must be one thing to do today, in italics"
        body = plain("\n".join(lines[1:-1]))
        sentences = [s for s in re.split(r"(?<=[.!?。！？])\s*", body) if s.strip()]
        if not 1 <= len(sentences) <= 3:
            yield f"{where}: {len(sentences)} sentences between title and today (1 to 3)"
        if tip.source not in content.sources:
            yield f"{where}: source {tip.source!r} is not in sources.toml"


def tips_distinct(content: Content, words: Words) -> Iterator[str]:
    """No two tips share a title or a "Today" line."""
    for name, line in (("title", 0), ("today line", -1)):
        first: dict[str, str] = {}
        for tip in content.tips:
            said = plain(tip.text.split("\n")[line]).strip().casefold()
            if said in first:
                yield f"tips.{tip.id}: the same {name} as tips.{first[said]}"
            else:
                first[said] = tip.id


def no_cure(content: Content, words: Words) -> Iterator[str]:
    """Nothing promises to cure, heal or fix the back or the disc."""
    for where, text in _everything(content):
        for sentence in _sentences(text, words):
            if (match := re.search(words.cure, sentence, re.IGNORECASE)) and not _found(
                words.not_a_fix, sentence
            ):
                yield f"{where}: promises a cure ({match.group(0)!r})"


def medicines_are_questions(content: Content, words: Words) -> Iterator[str]:
    """A tip about medicines or procedures, or one naming a medicine or an injection, is a
    question to bring to a doctor or pharmacist: it says whom to ask (or to ask)."""
    for tip in content.tips:
        text = plain(tip.text)
        about = tip.topic in ("medicines", "procedures") or _found(words.medicine, text)
        if about and not _found(words.ask_who, text):
            yield f"tips.{tip.id}: names a medicine or procedure without whom to ask"


def massage_tips_flagged(content: Content, words: Words) -> Iterator[str]:
    """A tip whose "Today" line invites a massage carries the flag the safety state reads
    (``massage = true`` or its technique), so it is held with massage."""
    for tip in content.tips:
        today = plain(tip.text.split("\n")[-1])
        if _found(words.invites_massage, today) and not tip.about_massage:
            yield f"tips.{tip.id}: invites a massage today without massage = true"


def same_tips_in_every_language(content: Content, words: Words) -> Iterator[str]:
    """Every language holds the same tips, in the same order, with the same topics, sources
    and massage flags, and the same sources, as the default language's files."""
    from content.loader import DEFAULT_LANGUAGE, load

    reference = load(DEFAULT_LANGUAGE)
    theirs = {tip.id: tip for tip in reference.tips}
    mine = {tip.id: tip for tip in content.tips}
    for tip_id in theirs.keys() - mine.keys():
        yield f"tips.{tip_id}: missing ({DEFAULT_LANGUAGE} has it)"
    for tip_id in mine.keys() - theirs.keys():
        yield f"tips.{tip_id}: not in {DEFAULT_LANGUAGE}"
    for tip_id in mine.keys() & theirs.keys():
        a, b = mine[tip_id], theirs[tip_id]
        for field in ("position", "topic", "source", "technique", "massage"):
            if getattr(a, field) != getattr(b, field):
                yield f"tips.{tip_id}: {field} differs from {DEFAULT_LANGUAGE}"
    if list(content.sources) != list(reference.sources):
        yield f"sources: the keys differ from {DEFAULT_LANGUAGE}"


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
    Rule("check-in names its button", checkin_button),
    Rule("doses add up", doses),
    Rule("first step: side-lying and the stop rule", first_step),
    Rule("points not to press: don't press", dont_press_points),
    Rule("wordings to avoid", avoided_wordings),
    Rule("emergency numbers", emergency_numbers),
    Rule("no streak of sessions", no_session_streak),
    Rule("tip shape", tip_shape),
    Rule("tips distinct", tips_distinct),
    Rule("no cure", no_cure),
    Rule("medicines are questions", medicines_are_questions),
    Rule("massage tips flagged", massage_tips_flagged),
    Rule("same tips in every language", same_tips_in_every_language),
)


def problems(content: Content) -> list[str]:
    """Every safety rule broken in ``content``, as "rule: where: what".

    Raises:
        KeyError: if ``WORDS`` does not say how the rules read in the content's language.
    """
    words = WORDS[content.language]
    return [f"{rule.name}: {found}" for rule in RULES for found in rule.problems(content, words)]
