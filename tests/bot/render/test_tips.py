"""Tips: valid for every tip, the buttons under them, honest day numbers, the caution check
in a tip's place, a put-off tip sent again, "Why?" and the three questions."""

from __future__ import annotations

import html
from datetime import date

import pytest

from bot import callbacks
from bot.ops.content import picked
from bot.render import tips as render_tips
from content import LANGUAGES, Content, load
from content.markup import MarkupError, check_message
from storage.rules.safety import decide
from tests.helpers import callback_data, first_technique, reply_data


def test_daily_tip_is_valid_for_every_tip(content: Content) -> None:
    refused = []
    for tip in content.tips:
        try:
            check_message(render_tips.daily_tip(content, picked(content, tip.position - 1)).text)
        except MarkupError as error:
            refused.append((tip.id, str(error)))
    assert refused == []


@pytest.mark.parametrize("on", [pytest.param(True, id="on"), pytest.param(False, id="off")])
def test_daily_tip_carries_the_check_in_button_only_when_asked(content: Content, on: bool) -> None:
    reply = render_tips.daily_tip(content, picked(content, 0), checkin_prompt=on)
    assert (callbacks.CHECKIN_ASK in reply_data(reply)) is on


def test_days_passed_over_are_named_above_the_next_tip(content: Content) -> None:
    pick = picked(content, 19, left_out=(12, 19))
    left_out = content.message("left_out_days", first="12", last="19")
    header = content.message("program_day_left_out", day="20", days="30", left_out=left_out)
    assert render_tips.tip_text(content, pick).startswith(header + "\n")


def test_one_day_passed_over_is_named_as_one(content: Content) -> None:
    text = render_tips.tip_text(content, picked(content, 2, left_out=(2, 2)))
    assert content.message("left_out_day", day="2") in text


def test_the_program_done_note_needs_no_day_line(content: Content) -> None:
    after = content.program_days  # the first tip after the program
    text = render_tips.tip_text(content, picked(content, after, left_out=(29, 30)))
    assert text.startswith(content.message("program_done", days="30"))


@pytest.mark.parametrize("daily", [pytest.param(True, id="daily"), pytest.param(False, id="tip")])
def test_the_check_in_place_of_a_tip_hides_the_tip_and_carries_it(
    content: Content, daily: bool
) -> None:
    index = first_technique(content)
    pick = picked(content, index, ask_caution=True)
    reply = render_tips.daily_tip(content, pick) if daily else render_tips.tip(content, pick)
    tip = content.tips[index]
    assert tip.text not in reply.text
    assert reply.text.startswith(content.message("program_day", day=str(index + 1), days="30"))
    target = callbacks.caution_tip(tip.id, daily=daily)
    assert reply_data(reply) == [
        callbacks.caution(callbacks.CAUTION_NONE, target),
        callbacks.caution(callbacks.CAUTION_APPLIES, target),
        callbacks.URGENT,
    ]


@pytest.mark.parametrize(
    ("program_done", "header"),
    [pytest.param(False, True, id="in-the-program"), pytest.param(True, False, id="wrapped-round")],
)
def test_tip_again_keeps_the_header_the_tip_came_with(
    content: Content, program_done: bool, header: bool
) -> None:
    tip = next(t for t in content.tips if t.program_day is not None and not t.about_massage)
    decision = decide(1, None, date(2026, 11, 26))
    again = render_tips.tip_again(content, tip, decision, program_done=program_done).text
    day = content.message("program_day", day=str(tip.program_day), days=str(content.program_days))
    assert (day in again) is header


def test_tip_again_does_not_repeat_the_end_of_program_note(content: Content) -> None:
    tip = next(t for t in content.tips if t.program_day is None and not t.about_massage)
    again = render_tips.tip_again(content, tip, decide(1, None, date(2026, 11, 26))).text
    assert content.message("program_done", days=str(content.program_days)) not in again


@pytest.mark.parametrize("language", LANGUAGES)
def test_why_names_the_tips_source(language: str) -> None:
    content = load(language)
    for tip in content.tips:
        text = render_tips.why(content, tip.id).text
        source = content.sources[tip.source]
        assert f"<b>{html.escape(source.name)}</b>" in text and source.line in text
        assert "/sources" in text


def test_why_and_fit_are_under_the_daily_tip_and_fit_after_the_program(content: Content) -> None:
    first = picked(content, 0)
    assert callbacks.why(first.tip.id) in callback_data(render_tips.daily_tip(content, first))
    assert callbacks.FIT_ASK not in callback_data(render_tips.daily_tip(content, first))
    after = picked(content, content.program_days)
    assert after.tip.program_day is None and not after.program_done
    for reply in (render_tips.daily_tip(content, after), render_tips.tip(content, after)):
        assert callbacks.FIT_ASK in callback_data(reply)
        assert content.message("program_done", days=str(content.program_days)) in reply.text


def test_every_fit_answer_round_trips(content: Content) -> None:
    for question, answers in callbacks.FIT_QUESTIONS.items():
        reply = render_tips.fit_question(content, question)
        data = callback_data(reply)
        assert data == [callbacks.fit_answer(question, a) for a in (*answers, None)]
        assert [callbacks.parse_fit(d) for d in data] == [(question, a) for a in (*answers, None)]
    assert callbacks.parse_fit(callbacks.FIT) is None
    assert callbacks.parse_fit(callbacks.FIT_ASK) is None
    with pytest.raises(ValueError):
        callbacks.fit_answer("knee", "sitting")
