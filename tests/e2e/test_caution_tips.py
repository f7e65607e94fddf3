"""The caution check guards the daily tip and /tip, over HTTP through the fake Bot API, in
both languages and across restarts: tips about massage never reach a chat a caution applies
to, and a chat that never answered gets the check in place of the first one."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot import callbacks
from bot.render import tips as render_tips
from content import Content, load
from storage import Caution, NextTip
from tests.conftest import START, FakeClock, Harness, massage_days
from tests.helpers import buttons, sample_permit

LANGUAGES = [pytest.param("en", id="en"), pytest.param("zh-hans", id="zh")]


def content_for(app_language: str) -> Content:
    return load("zh" if app_language.startswith("zh") else "en")


def just_before(bot: Harness, day: int) -> None:
    """Put the user's place in the program just before ``day``."""
    bot.store.db.execute(
        "UPDATE subscribers SET tip_cursor = ? WHERE chat_id = ?", [day - 1, bot.chat_id]
    )


async def daily_message(bot: Harness, clock: FakeClock, day: int) -> dict:
    """Run the daily job at 09:00 on START's ``day``-th day after; return what it sent."""
    clock.set(START.replace(hour=9) + timedelta(days=day))
    start = len(bot.calls)
    await bot.tick()
    (sent,) = bot.since(start, "sendMessage")
    return {"text": sent.params["text"], "buttons": buttons(sent.params), **sent.result}


async def start_bot(bot: Harness, app_language: str) -> None:
    bot.language_code = app_language
    await bot.fake.wait_call("setMyCommands")


async def settings_text(bot: Harness) -> str:
    return str((await bot.say("/settings")).params["text"])


# A caution applies -----------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("app_language", LANGUAGES)
async def test_a_caution_keeps_tips_about_massage_away_across_a_restart(
    stopped: Harness, clock: FakeClock, app_language: str
) -> None:
    content = content_for(app_language)
    days = massage_days(content)
    async with stopped.running():
        await start_bot(stopped, app_language)
        await stopped.say("/subscribe")
        check = await stopped.say("/technique pressing")
        applies = callbacks.caution(callbacks.CAUTION_APPLIES, "pressing")
        await stopped.press(check.result["message_id"], applies)
        just_before(stopped, days[0])
    async with stopped.running():  # the answer and the place survive a restart
        await start_bot(stopped, app_language)
        sent = await daily_message(stopped, clock, 0)
        after = content.tips[days[-1]]  # the first tip after the block
        left_out = content.message("left_out_days", first=str(days[0]), last=str(days[-1]))
        header = content.message(
            "program_day_left_out", day=str(days[-1] + 1), days="30", left_out=left_out
        )
        assert header in sent["text"] and after.text in sent["text"]
        # /tip passes over them too, and /settings says why.
        just_before(stopped, days[0])
        tip = await stopped.say("/tip")
        assert after.text in tip.params["text"]
        assert content.message("techniques_held_caution") in await settings_text(stopped)


@pytest.mark.parametrize("app_language", LANGUAGES)
async def test_the_doctor_card_says_tips_about_massage_are_held(
    harness: Harness, app_language: str
) -> None:
    content = content_for(app_language)
    harness.language_code = app_language
    check = await harness.say("/technique kneading")
    start = len(harness.calls)
    await harness.press(
        check.result["message_id"], callbacks.caution(callbacks.CAUTION_APPLIES, "kneading")
    )
    edit = await harness.next_call(start, "editMessageText")
    assert edit.params["text"] == content.message("caution_doctor_first")
    held = {"en": "held back from your daily tips", "zh": "不会出现在您的每日小贴士里"}
    assert held[content.language] in edit.params["text"]


# Never answered: the check comes in place of the first tip about massage ---------------------


@pytest.mark.slow
@pytest.mark.parametrize("app_language", LANGUAGES)
async def test_the_daily_check_then_none_apply_shows_the_tip_across_a_restart(
    stopped: Harness, clock: FakeClock, app_language: str
) -> None:
    content = content_for(app_language)
    days = massage_days(content)
    first = content.tips[days[0] - 1]
    async with stopped.running():
        await start_bot(stopped, app_language)
        await stopped.say("/subscribe")
        just_before(stopped, days[0])
        assert content.message("techniques_ask") in await settings_text(stopped)
        sent = await daily_message(stopped, clock, 0)
        # The check, in the day's message, with the same three answers: nothing about the
        # technique itself yet.
        assert sent["text"].endswith(content.message("caution_check"))
        assert content.message("caution_gate") in sent["text"]
        assert first.text not in sent["text"]
        target = callbacks.caution_tip(first.id, daily=True)
        assert sent["buttons"] == [
            callbacks.caution(callbacks.CAUTION_NONE, target),
            callbacks.caution(callbacks.CAUTION_APPLIES, target),
            callbacks.URGENT,
        ]
        assert content.message("techniques_held_unanswered") in await settings_text(stopped)
    async with stopped.running():
        await start_bot(stopped, app_language)
        start = len(stopped.calls)
        answer = await stopped.press(
            sent["message_id"], callbacks.caution(callbacks.CAUTION_NONE, target)
        )
        assert answer.error is None
        edit = await stopped.next_call(start, "editMessageText")
        stored = stopped.store.tip(first.id)
        assert stored is not None
        expected = render_tips.daily_tip(content, NextTip(stored, permit=sample_permit()))
        assert edit.params["text"] == expected.text
        assert buttons(edit.params)[0] == callbacks.feedback(True, first.id)
        subscriber = stopped.store.subscriber(stopped.chat_id)
        assert subscriber is not None and subscriber.caution is Caution.NONE
        # The next day, the technique week goes on.
        tomorrow = await daily_message(stopped, clock, 1)
        assert content.tips[days[0]].text in tomorrow["text"]


@pytest.mark.parametrize("app_language", LANGUAGES)
async def test_an_unanswered_check_passes_over_the_rest_and_names_the_days(
    harness: Harness, clock: FakeClock, app_language: str
) -> None:
    content = content_for(app_language)
    days = massage_days(content)
    harness.language_code = app_language
    await harness.say("/subscribe")
    just_before(harness, days[0])
    await daily_message(harness, clock, 0)  # the check, not answered
    sent = await daily_message(harness, clock, 1)
    left_out = content.message("left_out_days", first=str(days[1]), last=str(days[-1]))
    header = content.message(
        "program_day_left_out", day=str(days[-1] + 1), days="30", left_out=left_out
    )
    assert header in sent["text"]
    assert content.tips[days[-1]].text in sent["text"]


@pytest.mark.slow
@pytest.mark.parametrize("app_language", LANGUAGES)
async def test_tip_asks_the_check_then_applies_and_cleared_across_a_restart(
    stopped: Harness, app_language: str
) -> None:
    content = content_for(app_language)
    days = massage_days(content)
    first = content.tips[days[0] - 1]
    target = callbacks.caution_tip(first.id, daily=False)
    async with stopped.running():
        await start_bot(stopped, app_language)
        stopped.store.ensure(stopped.chat_id, START)
        just_before(stopped, days[0])
        check = await stopped.say("/tip")
        assert check.params["text"].endswith(content.message("caution_check"))
        assert first.text not in check.params["text"]
        assert buttons(check.params)[:2] == [
            callbacks.caution(callbacks.CAUTION_NONE, target),
            callbacks.caution(callbacks.CAUTION_APPLIES, target),
        ]
    async with stopped.running():
        await start_bot(stopped, app_language)
        start = len(stopped.calls)
        await stopped.press(
            check.result["message_id"], callbacks.caution(callbacks.CAUTION_APPLIES, target)
        )
        doctor = await stopped.next_call(start, "editMessageText")
        assert doctor.params["text"] == content.message("caution_doctor_first")
        cleared = callbacks.caution(callbacks.CAUTION_CLEARED, target)
        assert buttons(doctor.params)[0] == cleared
        assert content.message("techniques_held_caution") in await settings_text(stopped)
        start = len(stopped.calls)
        await stopped.press(check.result["message_id"], cleared)
        shown = await stopped.next_call(start, "editMessageText")
        stored = stopped.store.tip(first.id)
        assert stored is not None
        again = render_tips.tip(content, NextTip(stored, permit=sample_permit()))
        assert shown.params["text"] == again.text
        assert content.message("techniques_on") in await settings_text(stopped)


async def test_a_forged_tip_target_is_stale(harness: Harness, content: Content) -> None:
    check = await harness.say("/technique kneading")
    forged = callbacks.caution(
        callbacks.CAUTION_NONE, callbacks.caution_tip("no_such_tip", daily=True)
    )
    answer = await harness.press(check.result["message_id"], forged)
    assert answer.params["text"] == content.answers["stale"]
    subscriber = harness.store.subscriber(harness.chat_id)
    assert subscriber is None or subscriber.caution is None


async def test_i_feel_fine_does_not_open_what_a_caution_holds_back(
    harness: Harness, clock: FakeClock, content: Content
) -> None:
    """Feeling fine lifts the check-in hold only: the reply must not promise technique tips."""
    days = massage_days(content)
    await harness.say("/subscribe")
    harness.store.set_caution(harness.chat_id, Caution.APPLIES, clock())
    harness.store.set_hold(harness.chat_id, True, clock())
    just_before(harness, days[0])
    question = await harness.say("/checkin")
    start = len(harness.calls)
    await harness.press(question.result["message_id"], callbacks.HOLD_FINE)
    reply = await harness.next_call(start, "sendMessage")
    assert reply.params["text"] == content.message("hold_lifted_caution")
    sent = await daily_message(harness, clock, 0)
    assert content.tips[days[-1]].text in sent["text"]
