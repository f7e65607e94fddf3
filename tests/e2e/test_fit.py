"""Fitting the tips to the person (three questions from /settings), "Why?" under the daily
tip, /sources, and the answers in /mydata and gone after /deletedata: through the real
Application over HTTP."""

from __future__ import annotations

import html
import json
from datetime import timedelta

from bot import callbacks
from content import Content
from storage import DeliveryStatus
from tests.conftest import START, Harness
from tests.helpers import buttons, confirm_deletion

#: Just after the default tip time (09:00 UTC) on START's day.
AFTER_NINE = START.replace(hour=9) + timedelta(seconds=5)


def answers(bot: Harness) -> tuple[str | None, str | None, str | None]:
    """The chat's three answers (None each, also when /settings stored no row at all)."""
    subscriber = bot.store.subscriber(bot.chat_id)
    if subscriber is None:
        return None, None, None
    return subscriber.below_knee, subscriber.days_like, subscriber.focus


async def press_edit(bot: Harness, message_id: int, data: str) -> dict:
    """Press ``data`` on the message and return the params of the edit it made."""
    start = len(bot.calls)
    answer = await bot.press(message_id, data)
    assert answer.error is None
    (edit,) = bot.since(start, "editMessageText")
    assert edit.params["message_id"] == message_id
    return edit.params


async def open_from_settings(bot: Harness, content: Content) -> tuple[int, dict]:
    """/settings, then "🎯 Fit my tips": the settings message becomes the first question."""
    settings = await bot.say("/settings")
    assert callbacks.FIT in buttons(settings.params)
    message_id = settings.result["message_id"]
    edit = await press_edit(bot, message_id, callbacks.FIT)
    assert edit["text"].startswith(content.message("fit_knee").split("\n")[0])
    return message_id, edit


async def test_answering_the_three_questions_from_settings(
    harness: Harness, content: Content
) -> None:
    message_id, edit = await open_from_settings(harness, content)
    assert buttons(edit) == [
        "fit:knee:yes",
        "fit:knee:no",
        "fit:knee:unsure",
        "fit:knee:skip",
    ]
    edit = await press_edit(harness, message_id, callbacks.fit_answer("knee", "yes"))
    assert "What are your days like?" in edit["text"]
    assert answers(harness) == ("yes", None, None)
    edit = await press_edit(harness, message_id, callbacks.fit_answer("days", "physical"))
    assert "What matters most now?" in edit["text"]
    edit = await press_edit(harness, message_id, callbacks.fit_answer("focus", "sleep"))
    assert answers(harness) == ("yes", "physical", "sleep")
    # The summary names each answer, with "Change" and the way back to the settings.
    text = edit["text"]
    for key in ("fit_knee_yes", "fit_days_physical", "fit_focus_sleep"):
        assert html.escape(content.buttons[key]) in text
    assert buttons(edit) == [callbacks.FIT, callbacks.SETTINGS]
    # /settings says how many are answered.
    settings = await harness.say("/settings")
    assert content.message("fit_some", count="3") in settings.params["text"]


async def test_settings_says_when_nothing_is_answered_yet(
    harness: Harness, content: Content
) -> None:
    settings = await harness.say("/settings")
    assert content.message("fit_none") in settings.params["text"]


async def test_skipping_stores_nothing_and_says_skipped(harness: Harness, content: Content) -> None:
    message_id, _ = await open_from_settings(harness, content)
    await press_edit(harness, message_id, callbacks.fit_answer("knee", None))
    await press_edit(harness, message_id, callbacks.fit_answer("days", "sitting"))
    edit = await press_edit(harness, message_id, callbacks.fit_answer("focus", None))
    assert answers(harness) == (None, "sitting", None)
    assert edit["text"].count(content.message("fit_skipped")) == 2


async def test_changing_answers_replaces_them(harness: Harness, content: Content) -> None:
    message_id, _ = await open_from_settings(harness, content)
    for question, answer in (("knee", "no"), ("days", "on_feet"), ("focus", "work")):
        await press_edit(harness, message_id, callbacks.fit_answer(question, answer))
    assert answers(harness) == ("no", "on_feet", "work")
    # "Change" on the summary asks again from the first question, in the same message.
    edit = await press_edit(harness, message_id, callbacks.FIT)
    assert "below the knee" in edit["text"]
    await press_edit(harness, message_id, callbacks.fit_answer("knee", "unsure"))
    await press_edit(harness, message_id, callbacks.fit_answer("days", None))
    await press_edit(harness, message_id, callbacks.fit_answer("focus", "understanding"))
    assert answers(harness) == ("unsure", None, "understanding")
    # Back to the settings from the summary.
    edit = await press_edit(harness, message_id, callbacks.SETTINGS)
    assert callbacks.FIT in buttons(edit)


async def test_a_forged_answer_is_stale_and_stores_nothing(
    harness: Harness, content: Content
) -> None:
    message_id, _ = await open_from_settings(harness, content)
    answer = await harness.press(message_id, "fit:knee:sitting")
    assert answer.params.get("text") == content.answers["stale"]
    assert answers(harness) == (None, None, None)


async def test_why_under_the_daily_tip_names_its_source(harness: Harness, content: Content) -> None:
    await harness.say("/subscribe")
    harness.clock.set(AFTER_NINE)
    start = len(harness.calls)
    await harness.tick()
    await harness.fake.wait_for(lambda: harness.daily_tips(start))
    (tip_message,) = harness.daily_tips(start)
    delivery = harness.store.delivery(harness.chat_id, START.date())
    assert delivery is not None and delivery.status is DeliveryStatus.SENT
    assert delivery.tip_id is not None
    why = callbacks.why(delivery.tip_id)
    assert why in buttons(tip_message.params)
    start = len(harness.calls)
    await harness.press(tip_message.result["message_id"], why)
    (reply,) = harness.since(start, "sendMessage")
    tip = content.tip(delivery.tip_id)
    assert tip is not None
    source = content.sources[tip.source]
    text = reply.params["text"]
    assert text.startswith("<b>Where this comes from</b>")
    assert f"<b>{html.escape(source.name)}</b> ({html.escape(source.year)}): {source.line}" in text
    assert "/sources" in text
    # The tip itself is left as it was.
    assert harness.since(start, "editMessageText") == []


async def test_why_for_an_unknown_tip_is_a_short_reply(harness: Harness, content: Content) -> None:
    message = await harness.say("/help")
    start = len(harness.calls)
    answer = await harness.press(message.result["message_id"], callbacks.why("no_such_tip"))
    assert answer.error is None
    (reply,) = harness.since(start, "sendMessage")
    assert reply.params["text"] == content.message("why_unknown")


async def test_sources_lists_the_library_sources(harness: Harness, content: Content) -> None:
    library_sources = {tip.source for tip in content.tips if tip.program_day is None}
    reply = await harness.say("/sources")
    text = reply.params["text"]
    for key in library_sources:
        source = content.sources[key]
        assert f"<b>{html.escape(source.name)}</b> ({html.escape(source.year)})" in text
    assert "tuina" in text and "Content last reviewed" in text


async def mydata(bot: Harness) -> dict:
    start = len(bot.calls)
    await bot.handle(bot.fake.api.user_message(bot.chat_id, "/mydata"))
    (sent,) = bot.since(start, "sendDocument")
    record: dict = json.loads(bot.fake.api.files[sent.result["document"]["file_id"]])
    return record


async def test_mydata_shows_the_answers_and_deletedata_erases_them(
    harness: Harness, content: Content
) -> None:
    message_id, _ = await open_from_settings(harness, content)
    for question, answer in (("knee", "yes"), ("days", "not_working"), ("focus", "moving")):
        await press_edit(harness, message_id, callbacks.fit_answer(question, answer))
    # A tip had, so the history of tips is in the record too (as tips and days).
    await harness.say("/tip")
    (row,) = (await mydata(harness))["tables"]["subscribers"]
    assert (row["below_knee"], row["days_like"], row["focus"]) == ("yes", "not_working", "moving")
    assert [item["tip"] for item in row["tips_seen"]] == [content.tips[0].id]
    assert row["tips_seen"][0]["last_sent"] == START.date().isoformat()

    await confirm_deletion(harness)
    assert harness.store.subscriber(harness.chat_id) is None
    assert harness.store.chat_record(harness.chat_id) == {}
    reply = await harness.say("/mydata")
    assert reply.params["text"] == content.message("mydata_empty")
