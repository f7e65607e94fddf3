"""Rising check-ins hold technique tips back until "I feel fine"; the check-in button under
the daily tip; /progress as a chart, all over HTTP through the fake Bot API."""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image

from bot import callbacks
from bot.console.localapi import Call
from bot.render import chart
from content import Content
from storage import Checkin
from tests.conftest import START, FakeClock, Harness
from tests.helpers import buttons, check_in, check_in_daily


def before_first_technique_tip(bot: Harness, content: Content) -> str:
    """Move the user's place to just before the first technique tip; return that tip's id."""
    tip = next(tip for tip in content.tips if tip.technique is not None)
    bot.store.db.execute(
        "UPDATE subscribers SET tip_cursor = ? WHERE chat_id = ?", [tip.position - 1, bot.chat_id]
    )
    return tip.id


async def todays_tip(bot: Harness, clock: FakeClock) -> str | None:
    """Run the daily job at today's 09:00 and return the id of the tip it sent."""
    clock.set(clock().replace(hour=9, minute=0))
    await bot.tick()
    delivery = bot.store.delivery(bot.chat_id, clock().date())
    return None if delivery is None else delivery.tip_id


async def rise(bot: Harness, clock: FakeClock) -> dict:
    """Check in 2, 3, 5 on three days in a row; return the last check-in's edit."""
    return await check_in_daily(bot, clock, 2, 3, 5)


# Holding technique tips back -------------------------------------------------------------------


async def test_a_rising_trend_holds_back_technique_tips(
    harness: Harness, clock: FakeClock, content: Content
) -> None:
    await harness.say("/subscribe")
    technique_tip = before_first_technique_tip(harness, content)
    await rise(harness, clock)
    sent = await todays_tip(harness, clock)
    assert sent is not None and sent != technique_tip
    assert content.tips[[t.id for t in content.tips].index(sent)].technique is None


async def test_i_feel_fine_brings_technique_tips_back(
    harness: Harness, clock: FakeClock, content: Content
) -> None:
    await harness.say("/subscribe")
    technique_tip = before_first_technique_tip(harness, content)
    await rise(harness, clock)
    question = next(
        c for c in reversed(harness.calls) if c.method == "sendMessage" and buttons(c.params)
    )
    start = len(harness.calls)
    answer = await harness.press(question.result["message_id"], callbacks.HOLD_FINE)
    reply = await harness.next_call(start, "sendMessage")
    assert answer.error is None
    assert reply.params["text"] == content.message("hold_lifted")
    assert await todays_tip(harness, clock) == technique_tip


async def test_i_feel_fine_twice_only_says_so(
    harness: Harness, clock: FakeClock, content: Content
) -> None:
    await rise(harness, clock)
    harness.store.set_hold(harness.chat_id, False, clock())
    question = await harness.say("/checkin")
    start = len(harness.calls)
    answer = await harness.press(question.result["message_id"], callbacks.HOLD_FINE)
    assert answer.params.get("text") == content.answers["hold_not_held"]
    assert harness.since(start, "sendMessage") == []


async def test_settings_show_the_hold_and_lift_it(
    harness: Harness, clock: FakeClock, content: Content
) -> None:
    await rise(harness, clock)
    view = await harness.say("/settings")
    assert content.message("techniques_held") in view.params["text"]
    assert callbacks.SETTINGS_HOLD_OFF in buttons(view.params)
    start = len(harness.calls)
    await harness.press(view.result["message_id"], callbacks.SETTINGS_HOLD_OFF)
    edit = await harness.next_call(start, "editMessageText")
    assert content.message("techniques_on") in edit.params["text"]
    assert callbacks.SETTINGS_HOLD_OFF not in buttons(edit.params)
    subscriber = harness.store.subscriber(harness.chat_id)
    assert subscriber is not None and not subscriber.hold_techniques


async def test_the_hold_survives_a_restart(
    stopped: Harness, clock: FakeClock, content: Content
) -> None:
    async with stopped.running():
        await stopped.say("/subscribe")
        technique_tip = before_first_technique_tip(stopped, content)
        await rise(stopped, clock)
    async with stopped.running():
        assert await todays_tip(stopped, clock) != technique_tip


# The check-in button under the daily tip -------------------------------------------------------


async def test_opting_in_puts_a_check_in_button_under_the_daily_tip(
    harness: Harness, clock: FakeClock, content: Content
) -> None:
    await harness.say("/subscribe")
    view = await harness.say("/settings")
    start = len(harness.calls)
    await harness.press(view.result["message_id"], callbacks.SETTINGS_CHECKIN_ON)
    edit = await harness.next_call(start, "editMessageText")
    assert callbacks.SETTINGS_CHECKIN_OFF in buttons(edit.params)
    start = len(harness.calls)
    await todays_tip(harness, clock)
    (tip,) = harness.daily_tips(start)
    assert callbacks.CHECKIN_ASK in buttons(tip.params)

    start = len(harness.calls)
    await harness.press(tip.result["message_id"], callbacks.CHECKIN_ASK)
    question = await harness.next_call(start, "sendMessage")
    assert question.params["text"] == content.message("checkin")
    await harness.press(question.result["message_id"], callbacks.checkin(5))
    assert harness.store.checkins(harness.chat_id) == [Checkin(clock().date(), 5)]


async def test_without_opting_in_the_daily_tip_has_no_check_in_button(
    harness: Harness, clock: FakeClock
) -> None:
    await harness.say("/subscribe")
    start = len(harness.calls)
    await todays_tip(harness, clock)
    (tip,) = harness.daily_tips(start)
    assert callbacks.CHECKIN_ASK not in buttons(tip.params)


async def test_opting_out_removes_the_button(harness: Harness, clock: FakeClock) -> None:
    await harness.say("/subscribe")
    harness.store.set_checkin_prompt(harness.chat_id, True, clock())
    view = await harness.say("/settings")
    await harness.press(view.result["message_id"], callbacks.SETTINGS_CHECKIN_OFF)
    start = len(harness.calls)
    await todays_tip(harness, clock)
    (tip,) = harness.daily_tips(start)
    assert callbacks.CHECKIN_ASK not in buttons(tip.params)


# /progress ---------------------------------------------------------------------------------


async def progress(bot: Harness) -> list[Call]:
    """Send /progress and return what the bot sent (messages and photos)."""
    calls = await bot.handle(bot.fake.api.user_message(bot.chat_id, "/progress"))
    return [c for c in calls if c.method in ("sendMessage", "sendPhoto")]


def picture(bot: Harness, call: Call) -> Image.Image:
    file_id = call.result["photo"][-1]["file_id"]
    return Image.open(io.BytesIO(bot.fake.api.files[file_id]))


async def test_progress_without_check_ins_explains(harness: Harness, content: Content) -> None:
    (reply,) = await progress(harness)
    assert reply.method == "sendMessage"
    assert reply.params["text"] == content.message("progress_none")
    assert buttons(reply.params) == [callbacks.CHECKIN_ASK]


async def test_progress_with_one_check_in_is_a_chart(harness: Harness) -> None:
    await check_in(harness, 4)
    (reply,) = await progress(harness)
    assert reply.method == "sendPhoto"
    image = picture(harness, reply)
    assert (image.format, image.size) == ("PNG", (chart.WIDTH, chart.HEIGHT))


async def test_progress_with_thirty_days_of_check_ins(
    harness: Harness, clock: FakeClock, content: Content
) -> None:
    await harness.say("/subscribe")
    for day in range(30):
        harness.store.check_in(harness.chat_id, day % 11, START - timedelta(days=day))
    (reply,) = await progress(harness)
    assert reply.method == "sendPhoto"
    image = picture(harness, reply)
    assert (image.format, image.size) == ("PNG", (chart.WIDTH, chart.HEIGHT))
    caption = reply.params["caption"]
    assert content.message("progress_subscribed", days="1") in caption
    assert "<b>30</b>" in caption  # check-ins, and the streak


async def test_my_progress_button_after_a_check_in_sends_the_chart(harness: Harness) -> None:
    question = await harness.say("/checkin")
    await harness.press(question.result["message_id"], callbacks.checkin(3))
    start = len(harness.calls)
    await harness.press(question.result["message_id"], callbacks.PROGRESS)
    photo = await harness.next_call(start, "sendPhoto")
    assert photo.error is None


async def test_the_same_chart_is_drawn_once_and_sent_again_by_file_id(
    harness: Harness, clock: FakeClock
) -> None:
    """Pressing "My progress" again and again drew the chart every time; now once per change."""
    await check_in(harness, 4)
    assert harness.application is not None
    drawings = harness.application.services.drawings
    first, second, third = [(await progress(harness))[0] for _ in range(3)]
    assert drawings.drawn == 1
    file_id = first.result["photo"][-1]["file_id"]
    assert second.params["photo"] == file_id and third.params["photo"] == file_id
    assert second.params["caption"] == first.params["caption"]
    # A new check-in (or a new day) is a new chart.
    clock.advance(days=1)
    await check_in(harness, 6)
    (fourth,) = await progress(harness)
    assert drawings.drawn == 2 and fourth.params["photo"] != file_id


async def test_deletedata_forgets_the_chart_sent(harness: Harness) -> None:
    await check_in(harness, 4)
    await progress(harness)
    assert harness.application is not None
    drawings = harness.application.services.drawings
    assert drawings.remembers(harness.chat_id)
    question = await harness.say("/deletedata")
    await harness.press(question.result["message_id"], callbacks.DELETE_CONFIRM)
    assert not drawings.remembers(harness.chat_id)


# A tip claimed just before the user erased their data ------------------------------------------


async def test_a_claimed_tip_is_not_sent_after_deletedata(
    harness: Harness, clock: FakeClock
) -> None:
    await harness.say("/subscribe")
    clock.advance(hours=3)  # 09:00, the tip time
    claims = harness.store.claim_due(clock(), 10)
    assert [c.chat_id for c in claims] == [harness.chat_id]
    harness.store.delete_chat(harness.chat_id)
    application = harness.application
    assert application is not None
    start = len(harness.calls)
    await application.jobs.dispatcher.send(application.bot, claims, lambda: True)
    assert harness.daily_tips(start) == []
    assert harness.store.subscriber(harness.chat_id) is None
