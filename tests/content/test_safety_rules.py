"""The clinical safety rules of content/rules.py: every language keeps them, and each rule
catches the regression it is there for (a rule that cannot fail would guard nothing)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from types import MappingProxyType
from typing import Any

import pytest

from bot.ops import content as contentcli
from content import LANGUAGES, Content, load, rules
from content.rules import RULES, WORDS, Rule

Break = Callable[[Content], Content]


def _rule(name: str) -> Rule:
    return next(rule for rule in RULES if rule.name == name)


def _tip_text(content: Content, tip_id: str, text: str) -> Content:
    tips = tuple(
        dataclasses.replace(tip, text=text) if tip.id == tip_id else tip for tip in content.tips
    )
    return dataclasses.replace(content, tips=tips)


def _replace_in_tip(content: Content, tip_id: str, old: str, new: str) -> Content:
    tip = content.tip(tip_id)
    assert tip is not None and old in tip.text, (tip_id, old)
    return _tip_text(content, tip_id, tip.text.replace(old, new))


def _technique(content: Content, technique_id: str, **fields: Any) -> Content:
    techniques = tuple(
        dataclasses.replace(t, **fields) if t.id == technique_id else t for t in content.techniques
    )
    return dataclasses.replace(content, techniques=techniques)


def _replace_in_dose(content: Content, technique_id: str, old: str, new: str) -> Content:
    technique = content.technique(technique_id)
    assert technique is not None and old in technique.dose, (technique_id, old)
    return _technique(content, technique_id, dose=technique.dose.replace(old, new))


def _first_step(content: Content, technique_id: str, step: str) -> Content:
    technique = content.technique(technique_id)
    assert technique is not None
    return _technique(content, technique_id, steps=(step, *technique.steps[1:]))


#: Kneading's guided session before the doses were made to add up: about 5 minutes.
FIVE_MINUTES = (30, 15, 120, 120, 15)


def _replace_in_page(content: Content, key: str, old: str, new: str) -> Content:
    assert old in content.pages[key], (key, old)
    pages = dict(content.pages, **{key: content.pages[key].replace(old, new)})
    return dataclasses.replace(content, pages=MappingProxyType(pages))


def _replace_in_text(content: Content, key: str, old: str, new: str) -> Content:
    assert old in content.text[key], (key, old)
    text = dict(content.text, **{key: content.text[key].replace(old, new)})
    return dataclasses.replace(content, text=MappingProxyType(text))


def _button(content: Content, key: str, label: str) -> Content:
    buttons = dict(content.buttons, **{key: label})
    return dataclasses.replace(content, buttons=MappingProxyType(buttons))


def _move_tip(content: Content, tip_id: str, position: int) -> Content:
    """The tips with ``tip_id`` moved to ``position`` (1-based), renumbered."""
    tips = [tip for tip in content.tips if tip.id != tip_id]
    moved = content.tip(tip_id)
    assert moved is not None
    tips.insert(position - 1, moved)
    renumbered = tuple(dataclasses.replace(t, position=n) for n, t in enumerate(tips, start=1))
    return dataclasses.replace(content, tips=renumbered)


def _today(content: Content, tip_id: str, line: str) -> Content:
    tip = content.tip(tip_id)
    assert tip is not None
    body = tip.text.splitlines()[:-1]
    return _tip_text(content, tip_id, "\n".join([*body, line]))


def _tip_field(content: Content, tip_id: str, **fields: Any) -> Content:
    tips = tuple(
        dataclasses.replace(tip, **fields) if tip.id == tip_id else tip for tip in content.tips
    )
    return dataclasses.replace(content, tips=tips)


def _same_line_as(content: Content, tip_id: str, other: str, line: int) -> Content:
    """Give ``tip_id`` the title (0) or Today line (-1) of ``other``."""
    tip, source = content.tip(tip_id), content.tip(other)
    assert tip is not None and source is not None
    lines = tip.text.split("\n")
    lines[line] = source.text.split("\n")[line]
    return _tip_text(content, tip_id, "\n".join(lines))


def _first_technique_tip(content: Content) -> str:
    return next(tip.id for tip in content.tips if tip.technique is not None)


def _repeat_previous(content: Content) -> Content:
    """The second tip opens with a sentence of the first, as the old technique week did."""
    first, second = content.tips[0], content.tips[1]
    sentence = first.text.splitlines()[1]
    lines = second.text.splitlines()
    return _tip_text(content, second.id, "\n".join([lines[0], sentence, *lines[1:]]))


# What each rule must catch, in each language: (rule, what breaks it).
BREAKS: dict[str, list[tuple[str, str, Break]]] = {
    "en": [
        (
            "may, not can",
            "can-ease",
            lambda c: _replace_in_tip(c, "massage_cannot_move_disc", "may do", "can ease"),
        ),
        (
            "session cap on every card",
            "no-cap",
            lambda c: _technique(c, "pushing", dose="2–3 minutes, light pressure."),
        ),
        (
            "stop rules",
            "no-next-day",
            lambda c: _technique(
                c, "kneading", stop="Stop if pain spreads down a leg or numbness starts."
            ),
        ),
        (
            "stop rules",
            "tip-without-stop",
            lambda c: _tip_text(
                c, "technique_pushing", "<b>Pushing</b>\nLong strokes.\n<i>Today: try it.</i>"
            ),
        ),
        (
            "warning signs sorted",
            "no-chest-pain",
            lambda c: _replace_in_page(c, "urgent", "back pain with chest pain", "back pain"),
        ),
        (
            "warning signs sorted",
            "no-one-leg",
            lambda c: _replace_in_page(c, "safety", "new weakness in one leg", "weakness"),
        ),
        (
            "warning signs sorted",
            "no-numbers",
            lambda c: _replace_in_page(c, "urgent", "112 in the EU, ", ""),
        ),
        (
            "warning signs sorted",
            "same-day-last",
            lambda c: _replace_in_page(c, "urgent", "the same day", "today"),
        ),
        (
            "caution check items",
            "no-platelets",
            lambda c: _replace_in_text(c, "caution_check", "a low platelet count, ", ""),
        ),
        (
            "caution check items",
            "no-sciatica",
            lambda c: _replace_in_text(c, "caution_check", "below the knee", "down a leg"),
        ),
        (
            "evidence quality",
            "low-quality",
            lambda c: _replace_in_tip(c, "evidence_short_term", "low to very low", "low"),
        ),
        (
            "heat safety",
            "heat-without-warnings",
            lambda c: _replace_in_tip(
                c, "superficial_heat", "Never on skin that feels numb", "Use it"
            ),
        ),
        (
            "program order",
            "walks-late",
            lambda c: _move_tip(c, "short_walks", 20),
        ),
        (
            "program order",
            "sciatica-after-techniques",
            lambda c: _move_tip(c, "kngf_not_for_sciatica", 25),
        ),
        (
            "program order",
            "open-and-read",
            lambda c: _today(
                c, "technique_pressing", "<i>Today: open /technique and read the card.</i>"
            ),
        ),
        (
            "program order",
            "first-technique-not-honest",
            lambda c: _replace_in_tip(
                c, _first_technique_tip(c), "it cannot move the disc back", "it is pleasant"
            ),
        ),
        ("program order", "repeated-sentence", _repeat_previous),
        (
            "check-in names its button",
            "last-button",
            lambda c: _replace_in_text(
                c, "checkin", "“New leg numbness or weakness, or trouble peeing”", "the last button"
            ),
        ),
        (
            "check-in names its button",
            "button-renamed",
            lambda c: _button(c, "checkin_red_flag", "⚠️ Warning signs"),
        ),
        (
            "doses add up",
            "five-minute-session",
            lambda c: _technique(c, "kneading", timings=FIVE_MINUTES),
        ),
        (
            "doses add up",
            "card-longer-than-session",
            lambda c: _replace_in_dose(c, "grasping", "About 2 minutes", "About 3 minutes"),
        ),
        (
            "doses add up",
            "no-combine-line",
            lambda c: _replace_in_dose(
                c, "pressing", "If you combine techniques, shorten each, to ", ""
            ),
        ),
        (
            "doses add up",
            "strokes-not-minutes",
            lambda c: _replace_in_dose(c, "pushing", "10 slow strokes", "10–20 slow strokes"),
        ),
        (
            "first step: side-lying and the stop rule",
            "face-down-only",
            lambda c: _first_step(c, "kneading", "Lie face down. Stop if a leg goes numb."),
        ),
        (
            "first step: side-lying and the stop rule",
            "no-stop-rule",
            lambda c: _first_step(
                c, "grasping", "Lie face down, or on your side with a pillow between your knees."
            ),
        ),
        (
            "points not to press: don't press",
            "no-firm-pressure",
            lambda c: _replace_in_text(
                c, "technique_list", "don't press either", "no firm pressure on either"
            ),
        ),
        (
            "warning signs sorted",
            "no-one-leg-numbness",
            lambda c: _replace_in_page(
                c,
                "urgent",
                "• new or spreading numbness, pins and needles or pain in one leg\n",
                "",
            ),
        ),
        (
            "wordings to avoid",
            "inflammation",
            lambda c: _replace_in_page(
                c, "benefits", "which may warm them for a while", "which may ease inflammation"
            ),
        ),
        (
            "emergency numbers",
            "only-999",
            lambda c: _replace_in_tip(c, "red_flags_emergency", "999, 112 or 911", "999"),
        ),
        (
            "wordings to avoid",
            "lift-the-right-way",
            lambda c: _today(
                c, "lift_close_to_body", "<i>Today: practice one lift the right way.</i>"
            ),
        ),
        (
            "no streak of sessions",
            "progress-days-in-a-row",
            lambda c: _replace_in_text(
                c, "progress_sessions", "this week", "this week · days in a row: <b>3</b>"
            ),
        ),
        (
            "no streak of sessions",
            "help-streak",
            lambda c: _replace_in_text(
                c, "help", "a guided session with a timer", "a guided session: keep your streak"
            ),
        ),
        (
            "tip shape",
            "no-today-line",
            lambda c: _replace_in_tip(c, "sleep_on_side", "<i>Today: ", "<i>"),
        ),
        (
            "tip shape",
            "four-sentences",
            lambda c: _replace_in_tip(
                c, "stay_active", "bed rest is not recommended.", "bed rest. Not. Recommended."
            ),
        ),
        ("tip shape", "unknown-source", lambda c: _tip_field(c, "stay_active", source="blog")),
        (
            "tips distinct",
            "same-title",
            lambda c: _same_line_as(c, "sleep_on_back", "sleep_on_side", 0),
        ),
        (
            "tips distinct",
            "same-today",
            lambda c: _same_line_as(c, "short_walks", "stay_active", -1),
        ),
        (
            "no cure",
            "heals-the-disc",
            lambda c: _replace_in_tip(c, "short_walks", "kind to most backs", "heals the disc"),
        ),
        (
            "medicines are questions",
            "take-painkillers",
            lambda c: _tip_text(
                c,
                "sitting_breaks",
                "<b>Painkillers</b>\nTake painkillers with food.\n<i>Today: buy paracetamol.</i>",
            ),
        ),
        (
            "massage tips flagged",
            "unflagged-invitation",
            lambda c: _tip_field(c, "acp_first_options", massage=False),
        ),
        (
            "same tips in every language",
            "other-source",
            lambda c: _tip_field(c, "stay_active", source="acp_2017"),
        ),
    ],
    "zh": [
        (
            "may, not can",
            "can-ease",
            lambda c: _replace_in_tip(c, "massage_cannot_move_disc", "可能做到的是", "可以缓解，"),
        ),
        (
            "session cap on every card",
            "no-cap",
            lambda c: _technique(c, "pushing", dose="推 2–3 分钟，力度要轻。"),
        ),
        (
            "stop rules",
            "no-next-day",
            lambda c: _technique(c, "kneading", stop="疼痛向腿部放射或出现麻木时，请停止。"),
        ),
        (
            "stop rules",
            "tip-without-stop",
            lambda c: _tip_text(c, "technique_pushing", "<b>推法</b>\n长推。\n<i>今天：试试。</i>"),
        ),
        (
            "words for symptoms",
            "stabbing-for-tingling",
            lambda c: _technique(
                c, "pressing", stop=c.techniques[1].stop.replace("针刺感", "刺痛")
            ),
        ),
        (
            "words for symptoms",
            "two-words-for-fever",
            lambda c: _replace_in_page(c, "urgent", "腰痛同时发热", "腰痛同时发烧"),
        ),
        (
            "warning signs sorted",
            "no-chest-pain",
            lambda c: _replace_in_page(c, "urgent", "• 腰痛同时伴有胸痛\n", ""),
        ),
        (
            "warning signs sorted",
            "no-120",
            lambda c: _replace_in_page(c, "safety", "中国大陆 120，", ""),
        ),
        (
            "caution check items",
            "no-antiplatelet",
            lambda c: _replace_in_text(c, "caution_check", "抗凝或抗血小板药", "抗凝药"),
        ),
        (
            "evidence quality",
            "low-quality",
            lambda c: _replace_in_tip(c, "evidence_short_term", "低到很低", "较低"),
        ),
        (
            "heat safety",
            "heat-without-warnings",
            lambda c: _replace_in_tip(
                c, "superficial_heat", "皮肤发麻的地方不要热敷，睡觉时也不要热敷", "热敷时"
            ),
        ),
        (
            "program order",
            "walks-late",
            lambda c: _move_tip(c, "stay_active", 20),
        ),
        (
            "program order",
            "open-and-read",
            lambda c: _today(
                c, "technique_pressing", "<i>今天：打开 /technique，读一读按法的卡片。</i>"
            ),
        ),
        ("program order", "repeated-sentence", _repeat_previous),
        (
            "check-in names its button",
            "last-button",
            lambda c: _replace_in_text(
                c, "checkin", "“腿部新出现麻木、无力，或小便困难”", "最后一个按钮"
            ),
        ),
        (
            "check-in names its button",
            "button-renamed",
            lambda c: _button(c, "checkin_red_flag", "⚠️ 危险信号"),
        ),
        (
            "doses add up",
            "five-minute-session",
            lambda c: _technique(c, "kneading", timings=FIVE_MINUTES),
        ),
        (
            "doses add up",
            "no-combine-line",
            lambda c: _replace_in_dose(
                c, "kneading", "如果和其他手法一起做，每种都要相应缩短，", ""
            ),
        ),
        (
            "doses add up",
            "strokes-not-minutes",
            lambda c: _replace_in_dose(c, "pushing", "推 10 次", "推 10–20 次"),
        ),
        (
            "first step: side-lying and the stop rule",
            "face-down-only",
            lambda c: _first_step(c, "pressing", "您趴好。如果腿发麻，请停止。"),
        ),
        (
            "points not to press: don't press",
            "no-firm-pressure",
            lambda c: _replace_in_text(c, "technique_list", "都不要按", "都不要用力按"),
        ),
        (
            "warning signs sorted",
            "no-one-leg-numbness",
            lambda c: _replace_in_page(
                c, "urgent", "• 一条腿新出现麻木、针刺感或疼痛，或者范围在扩大\n", ""
            ),
        ),
        (
            "wordings to avoid",
            "inflammation",
            lambda c: _replace_in_page(
                c, "benefits", "可能让它们暂时暖和一些", "可能有助于减轻局部的炎症和肿胀"
            ),
        ),
        (
            "wordings to avoid",
            "urgent-same-day",
            lambda c: _replace_in_page(c, "urgent", "<b>请当天就医</b>", "<b>紧急：请当天就医</b>"),
        ),
        (
            "wordings to avoid",
            "physical-therapist",
            lambda c: _replace_in_text(c, "weekly_trend_higher", "康复治疗师", "物理治疗师"),
        ),
        (
            "wordings to avoid",
            "past-clot",
            lambda c: _replace_in_tip(
                c, "when_not_to_massage", "有静脉血栓（深静脉血栓）", "得过静脉血栓"
            ),
        ),
        (
            "wordings to avoid",
            "sharp-pain",
            lambda c: _replace_in_tip(c, "stop_rules", "疼痛突然加剧、像刀割一样", "疼痛变得尖锐"),
        ),
        (
            "emergency numbers",
            "no-hong-kong",
            lambda c: _replace_in_page(c, "urgent", "香港 999，", ""),
        ),
        (
            "emergency numbers",
            "no-local-number",
            lambda c: _replace_in_tip(
                c, "red_flags_emergency", "；其他地方请拨打当地的急救电话", ""
            ),
        ),
        (
            "wordings to avoid",
            "lift-the-right-way",
            lambda c: _today(c, "lift_close_to_body", "<i>今天：用正确的方法练习搬一次。</i>"),
        ),
        (
            "no streak of sessions",
            "progress-days-in-a-row",
            lambda c: _replace_in_text(c, "progress_sessions", "次", "次 · 连续 <b>3</b> 天"),
        ),
        (
            "no streak of sessions",
            "help-streak",
            lambda c: _replace_in_text(c, "help", "跟练模式，分步计时", "跟练模式，天天坚持"),
        ),
        (
            "tip shape",
            "no-today-line",
            lambda c: _replace_in_tip(c, "sleep_on_side", "<i>今天：", "<i>"),
        ),
        (
            "tip shape",
            "four-sentences",
            lambda c: _tip_text(
                c, "stay_active", "<b>动</b>\n一。二。三。四。\n<i>今天：走走。</i>"
            ),
        ),
        ("tip shape", "unknown-source", lambda c: _tip_field(c, "stay_active", source="blog")),
        (
            "tips distinct",
            "same-title",
            lambda c: _same_line_as(c, "sleep_on_back", "sleep_on_side", 0),
        ),
        (
            "tips distinct",
            "same-today",
            lambda c: _same_line_as(c, "short_walks", "stay_active", -1),
        ),
        (
            "no cure",
            "cures-the-disc",
            lambda c: _tip_text(
                c, "short_walks", "<b>走</b>\n走路能根治椎间盘突出。\n<i>今天：走走。</i>"
            ),
        ),
        (
            "medicines are questions",
            "take-painkillers",
            lambda c: _tip_text(
                c, "sitting_breaks", "<b>止痛药</b>\n饭后吃止痛药。\n<i>今天：买一盒止痛药。</i>"
            ),
        ),
        (
            "massage tips flagged",
            "unflagged-invitation",
            lambda c: _tip_field(c, "acp_first_options", massage=False),
        ),
        (
            "same tips in every language",
            "other-source",
            lambda c: _tip_field(c, "stay_active", source="acp_2017"),
        ),
    ],
}


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_content_keeps_every_safety_rule(language: str, rule: Rule) -> None:
    content = load(language)
    assert list(rule.problems(content, WORDS[language])) == []


@pytest.mark.parametrize(
    ("language", "rule_name", "broken"),
    [
        pytest.param(language, rule_name, broken, id=f"{language}-{case}")
        for language, cases in BREAKS.items()
        for rule_name, case, broken in cases
    ],
)
def test_each_rule_catches_its_regression(language: str, rule_name: str, broken: Break) -> None:
    content = broken(load(language))
    assert list(_rule(rule_name).problems(content, WORDS[language]))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_rule_is_shown_failing_in_every_language_or_has_nothing_to_catch(
    language: str,
) -> None:
    """A rule added later comes with a case above; en has no banned words to catch."""
    covered = {rule_name for rule_name, _, _ in BREAKS[language]}
    nothing_to_catch = {"words for symptoms"} if not WORDS[language].banned else set()
    assert {rule.name for rule in RULES} - covered == nothing_to_catch


def test_every_language_says_how_the_rules_read_in_it() -> None:
    assert set(WORDS) == set(LANGUAGES)


@pytest.mark.parametrize(
    ("language", "sentence", "flagged"),
    [
        pytest.param("en", "Warmth may ease stiffness.", False, id="en-may"),
        pytest.param("en", "Warmth can ease stiffness.", True, id="en-can"),
        pytest.param("zh", "热敷可能缓解僵硬。", False, id="zh-may"),
        pytest.param("zh", "热敷可以缓解僵硬。", True, id="zh-can"),
        pytest.param("zh", "热敷能缓解僵硬。", True, id="zh-neng"),
        pytest.param("zh", "按摩不能缓解椎间盘突出。", False, id="zh-cannot"),
    ],
)
def test_may_not_can_reads_each_language(language: str, sentence: str, flagged: bool) -> None:
    content = load(language)
    tip_id = content.tips[0].id
    broken = _tip_text(content, tip_id, f"<b>x</b>\n{sentence}\n<i>x</i>")
    assert bool(list(rules.may_not_can(broken, WORDS[language]))) is flagged


def test_content_check_reports_a_broken_rule() -> None:
    contents = {language: load(language) for language in LANGUAGES}
    contents["zh"] = BREAKS["zh"][4][2](contents["zh"])  # 刺痛 in a stop rule
    found = contentcli.problems(contents)
    assert [p for p in found if p.startswith("zh: words for symptoms:")], found
