"""The caution check before the first technique, over HTTP through the fake Bot API."""

from __future__ import annotations

from bot import callbacks
from content import Content
from storage import Caution
from tests.conftest import Harness
from tests.helpers import buttons

NONE = callbacks.caution(callbacks.CAUTION_NONE, "pressing")
APPLIES = callbacks.caution(callbacks.CAUTION_APPLIES, "pressing")
CLEARED = callbacks.caution(callbacks.CAUTION_CLEARED, "pressing")


def stop_rule(content: Content, technique_id: str) -> str:
    technique = content.technique(technique_id)
    assert technique is not None
    return technique.stop


async def press_and_edit(bot: Harness, message_id: int, data: str) -> dict:
    """Press a button and return the params of the edit it made."""
    start = len(bot.calls)
    answer = await bot.press(message_id, data)
    assert answer.error is None
    edit = await bot.next_call(start, "editMessageText")
    return edit.params


async def press_and_card(bot: Harness, message_id: int, data: str) -> str:
    """Press a button that opens a technique; return the card shown (caption and the rest)."""
    start = len(bot.calls)
    answer = await bot.press(message_id, data)
    assert answer.error is None
    picture = await bot.next_call(start, "sendPhoto")
    rest = [c.params["text"] for c in bot.since(start, "sendMessage")]
    return "\n\n".join([picture.params["caption"], *rest])


def shown(calls: list) -> str:
    """The text of messages and the captions of pictures, joined."""
    return "\n\n".join(c.params.get("caption") or c.params["text"] for c in calls)


async def check_screen(bot: Harness) -> int:
    """Ask for pressing by name; return the message id of the caution check shown instead."""
    check = await bot.say("/technique pressing")
    return int(check.result["message_id"])


async def answered_applies(bot: Harness) -> int:
    """Answer "something applies"; return the message id now showing the doctor card."""
    message_id = await check_screen(bot)
    await press_and_edit(bot, message_id, APPLIES)
    return message_id


# The check screen --------------------------------------------------------------------------


async def test_first_technique_by_name_opens_the_check(harness: Harness, content: Content) -> None:
    reply = await harness.say("/technique pressing")
    assert reply.params["text"] == content.message("caution_check")


async def test_first_technique_button_opens_the_check(harness: Harness, content: Content) -> None:
    listing = await harness.say("/technique")
    start = len(harness.calls)
    await harness.press(listing.result["message_id"], callbacks.technique("kneading"))
    # The list is a picture: the check comes as a message below it.
    check = await harness.next_call(start, "sendMessage")
    assert check.params["text"] == content.message("caution_check")
    assert harness.since(start, "editMessageMedia") == []


async def test_check_offers_three_answers_for_the_asked_technique(harness: Harness) -> None:
    reply = await harness.say("/technique pressing")
    assert buttons(reply.params) == [NONE, APPLIES, callbacks.URGENT]


async def test_technique_list_shows_without_the_check(harness: Harness, content: Content) -> None:
    reply = await harness.say("/technique")
    assert reply.params["caption"] == content.message("technique_list")


async def test_asking_stores_nothing_until_answered(harness: Harness) -> None:
    await harness.say("/technique pressing")
    assert harness.store.subscriber(harness.chat_id) is None


# None of these apply -----------------------------------------------------------------------


async def test_none_apply_opens_the_asked_technique(harness: Harness, content: Content) -> None:
    card = await press_and_card(harness, await check_screen(harness), NONE)
    assert stop_rule(content, "pressing") in card


async def test_none_apply_is_recorded(harness: Harness) -> None:
    await press_and_card(harness, await check_screen(harness), NONE)
    subscriber = harness.store.subscriber(harness.chat_id)
    assert subscriber is not None and subscriber.caution is Caution.NONE


async def test_none_apply_is_remembered_across_a_restart(
    stopped: Harness, content: Content
) -> None:
    async with stopped.running():
        await stopped.fake.wait_call("setMyCommands")
        await press_and_card(stopped, await check_screen(stopped), NONE)
    async with stopped.running():
        replies = await stopped.say_all("/technique grasping")
    assert stop_rule(content, "grasping") in shown(replies)


# Something applies -------------------------------------------------------------------------


async def test_something_applies_shows_the_doctor_card(harness: Harness, content: Content) -> None:
    edit = await press_and_edit(harness, await check_screen(harness), APPLIES)
    assert edit["text"] == content.message("caution_doctor_first")


async def test_doctor_card_offers_cleared_safety_and_urgent(harness: Harness) -> None:
    edit = await press_and_edit(harness, await check_screen(harness), APPLIES)
    assert buttons(edit) == [CLEARED, callbacks.SAFETY, callbacks.URGENT]


async def test_something_applies_hides_techniques_asked_by_name(
    harness: Harness, content: Content
) -> None:
    await answered_applies(harness)
    reply = await harness.say("/technique kneading")
    assert reply.params["text"] == content.message("caution_doctor_first")


async def test_something_applies_hides_techniques_behind_buttons(
    harness: Harness, content: Content
) -> None:
    await answered_applies(harness)
    listing = await harness.say("/technique")
    start = len(harness.calls)
    await harness.press(listing.result["message_id"], callbacks.technique("kneading"))
    doctor = await harness.next_call(start, "sendMessage")
    assert doctor.params["text"] == content.message("caution_doctor_first")
    assert harness.since(start, "editMessageMedia") == []


async def test_old_none_apply_button_cannot_overrule_something_applies(
    harness: Harness, content: Content
) -> None:
    await answered_applies(harness)
    other_check = await check_screen(harness)
    answer = await harness.press(other_check, NONE)
    assert answer.params["text"] == content.answers["stale"]
    subscriber = harness.store.subscriber(harness.chat_id)
    assert subscriber is not None and subscriber.caution is Caution.APPLIES


async def test_doctor_cleared_opens_the_asked_technique(harness: Harness, content: Content) -> None:
    message_id = await answered_applies(harness)
    card = await press_and_card(harness, message_id, CLEARED)
    assert stop_rule(content, "pressing") in card


async def test_doctor_cleared_is_recorded_and_opens_every_technique(
    harness: Harness, content: Content
) -> None:
    await press_and_card(harness, await answered_applies(harness), CLEARED)
    replies = await harness.say_all("/technique kneading")
    assert stop_rule(content, "kneading") in shown(replies)
    subscriber = harness.store.subscriber(harness.chat_id)
    assert subscriber is not None and subscriber.caution is Caution.CLEARED


# Red flag ----------------------------------------------------------------------------------


async def test_red_flag_answer_sends_the_urgent_page(harness: Harness, content: Content) -> None:
    message_id = await check_screen(harness)
    start = len(harness.calls)
    answer = await harness.press(message_id, callbacks.URGENT)
    page = await harness.next_call(start, "sendMessage")
    assert answer.error is None
    assert page.params["text"] == content.pages["urgent"]


async def test_red_flag_answer_reaches_the_urgent_page_after_something_applies(
    harness: Harness, content: Content
) -> None:
    await answered_applies(harness)
    message_id = await check_screen(harness)  # the doctor card, with the urgent button
    start = len(harness.calls)
    await harness.press(message_id, callbacks.URGENT)
    page = await harness.next_call(start, "sendMessage")
    assert page.params["text"] == content.pages["urgent"]


async def test_red_flag_answer_records_no_answer(harness: Harness) -> None:
    await harness.press(await check_screen(harness), callbacks.URGENT)
    subscriber = harness.store.subscriber(harness.chat_id)
    assert subscriber is None or subscriber.caution is None


# Retake from /settings ---------------------------------------------------------------------


async def test_settings_offer_to_retake_the_check(harness: Harness) -> None:
    view = await harness.say("/settings")
    assert callbacks.CAUTION_RETAKE in buttons(view.params)


async def test_retake_asks_the_check_again_before_the_next_technique(
    harness: Harness, content: Content
) -> None:
    await press_and_card(harness, await check_screen(harness), NONE)
    view = await harness.say("/settings")
    start = len(harness.calls)
    answer = await harness.press(view.result["message_id"], callbacks.CAUTION_RETAKE)
    assert answer.params["text"] == content.answers["caution_retake"]
    # The settings view now shows the check as not taken.
    edit = await harness.next_call(start, "editMessageText")
    assert content.message("caution_not_taken") in edit.params["text"]
    reply = await harness.say("/technique pressing")
    assert reply.params["text"] == content.message("caution_check")


async def test_retake_forgets_the_answer(harness: Harness) -> None:
    await press_and_card(harness, await check_screen(harness), NONE)
    view = await harness.say("/settings")
    await harness.press(view.result["message_id"], callbacks.CAUTION_RETAKE)
    subscriber = harness.store.subscriber(harness.chat_id)
    assert subscriber is not None and subscriber.caution is None


# Forged and stale --------------------------------------------------------------------------


async def test_cleared_without_something_applies_is_stale(
    harness: Harness, content: Content
) -> None:
    answer = await harness.press(await check_screen(harness), CLEARED)
    assert answer.params["text"] == content.answers["stale"]
    assert harness.store.subscriber(harness.chat_id) is None


async def test_answer_for_an_unknown_technique_is_stale(harness: Harness, content: Content) -> None:
    data = callbacks.caution(callbacks.CAUTION_NONE, "boxing")
    answer = await harness.press(await check_screen(harness), data)
    assert answer.params["text"] == content.answers["stale"]
    assert harness.store.subscriber(harness.chat_id) is None


async def test_unknown_answer_is_stale(harness: Harness, content: Content) -> None:
    answer = await harness.press(await check_screen(harness), "caution:maybe:pressing")
    assert answer.params["text"] == content.answers["stale"]
    assert harness.store.subscriber(harness.chat_id) is None
