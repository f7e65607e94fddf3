"""A user talks to the real Application over HTTP through the fake Bot API."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from bot import callbacks
from bot.render import techniques as render_techniques
from content import Content, load_all
from content.loader import COMMANDS
from tests.conftest import START, FakeClock, Harness
from tests.helpers import buttons, sample_permit


async def test_start_welcomes_with_three_buttons(harness: Harness, content: Content) -> None:
    reply = await harness.say("/start")
    assert reply.params["text"] == content.message("welcome")
    assert buttons(reply.params) == [callbacks.SUBSCRIBE, callbacks.TECHNIQUES, callbacks.SAFETY]


async def test_command_menu_is_registered(harness: Harness) -> None:
    registered = [command["command"] for command in harness.fake.api.commands]
    assert registered == list(COMMANDS)


async def test_help_lists_every_command(harness: Harness, content: Content) -> None:
    reply = await harness.say("/help")
    for command in COMMANDS:
        assert f"/{command} " in reply.params["text"]


async def test_technique_shows_the_overview_picture_with_the_list(
    harness: Harness, content: Content
) -> None:
    listing = await harness.say("/technique")
    assert listing.method == "sendPhoto"
    assert listing.params["caption"] == content.message("technique_list")
    assert buttons(listing.params)[:4] == [callbacks.technique(t.id) for t in content.techniques]


async def test_technique_button_turns_the_picture_into_the_card(
    harness: Harness, content: Content
) -> None:
    harness.pass_caution_check()
    listing = await harness.say("/technique")
    start = len(harness.calls)
    answer = await harness.press(listing.result["message_id"], callbacks.technique("kneading"))
    edit = await harness.next_call(start, "editMessageMedia")
    assert answer.error is None
    assert edit.params["message_id"] == listing.result["message_id"]
    kneading = content.technique("kneading")
    assert kneading is not None
    card = render_techniques.technique_captioned(content, kneading, sample_permit())
    assert edit.params["media"]["caption"] == card.caption.text
    assert buttons(edit.params) == [
        callbacks.TECHNIQUES,
        callbacks.SAFETY,
        callbacks.URGENT,
        callbacks.session_start("kneading"),
    ]
    assert card.rest is not None  # the English cards are longer than a caption
    rest = await harness.next_call(start, "sendMessage")
    assert rest.params["text"] == card.rest.text
    assert buttons(rest.params) == [callbacks.URGENT]
    whole = edit.params["media"]["caption"] + rest.params["text"]
    assert kneading.steps[0] in whole and kneading.stop in whole
    # And back to the overview, in the same message.
    start = len(harness.calls)
    await harness.press(listing.result["message_id"], callbacks.TECHNIQUES)
    back = await harness.next_call(start, "editMessageMedia")
    assert back.params["media"]["caption"] == content.message("technique_list")


async def test_technique_by_name_in_any_case_or_misspelled(
    harness: Harness, content: Content
) -> None:
    harness.pass_caution_check()
    pressing = content.technique("pressing")
    assert pressing is not None
    for typed in ("/technique PRESSING", "/technique presing", "/technique  Pressing "):
        picture, *rest = await harness.say_all(typed)
        assert picture.method == "sendPhoto", typed
        assert pressing.name in picture.params["caption"], typed
        assert pressing.stop in "".join(c.params["text"] for c in rest), typed


async def test_unknown_technique_shows_the_list(harness: Harness, content: Content) -> None:
    reply = await harness.say("/technique <b>boxing</b>")
    assert "&lt;b&gt;boxing&lt;/b&gt;" in reply.params["caption"]
    assert content.message("technique_list") in reply.params["caption"]


async def test_benefits_and_safety_pages(harness: Harness, content: Content) -> None:
    assert (await harness.say("/benefits")).params["text"] == content.pages["benefits"]
    safety = await harness.say("/safety")
    assert safety.params["text"] == content.pages["safety"]
    start = len(harness.calls)
    await harness.press(safety.result["message_id"], callbacks.BENEFITS)
    page = await harness.next_call(start, "sendMessage")
    assert page.params["text"] == content.pages["benefits"]


async def test_subscribe_names_time_and_timezone_and_when_day_one_comes(
    harness: Harness, content: Content
) -> None:
    (reply,) = await harness.say_all("/subscribe")
    text = reply.params["text"]
    assert content.message("subscribed", time="09:00", timezone="UTC") in text
    today = content.message("next_today", time="09:00")
    assert content.message("first_tip_later", days="30", next=today) in text
    subscriber = harness.store.subscriber(harness.chat_id)
    assert subscriber is not None and subscriber.subscribed
    again = await harness.say("/subscribe")
    assert again.params["text"] == content.message(
        "already_subscribed", time="09:00", timezone="UTC"
    )
    off = await harness.say("/unsubscribe")
    assert off.params["text"] == content.message("unsubscribed", time="09:00", timezone="UTC")
    subscriber = harness.store.subscriber(harness.chat_id)
    assert subscriber is not None and not subscriber.subscribed and subscriber.next_due is None


async def test_subscribing_after_the_tip_time_gives_day_one_now_and_day_two_tomorrow(
    harness: Harness, clock: FakeClock, content: Content
) -> None:
    clock.set(START.replace(hour=10))
    reply, first = await harness.say_all("/subscribe")
    assert content.message("subscribed", time="09:00", timezone="UTC") in reply.params["text"]
    assert content.message("first_tip", days="30") in first.params["text"]
    assert content.message("program_day", day="1", days="30") in first.params["text"]
    assert content.tips[0].text in first.params["text"]
    start = len(harness.calls)
    await harness.tick()
    assert harness.daily_tips(start) == []  # day 1 was today's tip
    clock.set(START.replace(hour=9) + timedelta(days=1))
    await harness.tick()
    (tomorrow,) = harness.daily_tips(start)
    assert content.message("program_day", day="2", days="30") in tomorrow.params["text"]
    assert content.tips[1].text in tomorrow.params["text"]


async def test_the_settings_button_after_the_tip_time_gives_day_one_now_too(
    harness: Harness, clock: FakeClock, content: Content
) -> None:
    clock.set(START.replace(hour=10))
    view = await harness.say("/settings")
    start = len(harness.calls)
    answer = await harness.press(view.result["message_id"], callbacks.SETTINGS_SUBSCRIBE)
    assert answer.params["text"] == content.answers["subscribed"]
    edit = await harness.next_call(start, "editMessageText")
    assert callbacks.SETTINGS_UNSUBSCRIBE in buttons(edit.params)
    (first,) = harness.since(start, "sendMessage")
    assert content.message("first_tip", days="30") in first.params["text"]
    assert content.message("program_day", day="1", days="30") in first.params["text"]
    start = len(harness.calls)
    await harness.tick()
    assert harness.daily_tips(start) == []  # day 1 was today's tip


async def test_the_settings_button_before_the_tip_time_leaves_day_one_for_it(
    harness: Harness, content: Content
) -> None:
    view = await harness.say("/settings")  # 06:00, the tip at 09:00
    start = len(harness.calls)
    await harness.press(view.result["message_id"], callbacks.SETTINGS_SUBSCRIBE)
    assert harness.since(start, "sendMessage") == []
    subscriber = harness.store.subscriber(harness.chat_id)
    assert subscriber is not None and subscriber.subscribed and subscriber.tip_cursor == 0


async def test_start_subscribe_deep_link_subscribes(harness: Harness, content: Content) -> None:
    texts = [c.params["text"] for c in await harness.say_all("/start subscribe")]
    assert texts[0] == content.message("welcome")
    assert texts[1].startswith(content.message("subscribed", time="09:00", timezone="UTC"))


async def test_time_and_timezone_change_the_settings(harness: Harness, content: Content) -> None:
    await harness.say("/subscribe")
    reply = await harness.say("/time 07:30")
    assert "07:30" in reply.params["text"]
    reply = await harness.say("/timezone europe/berlin")
    assert reply.params["text"] == content.message(
        "timezone_set", time="07:30", timezone="Europe/Berlin"
    )
    subscriber = harness.store.subscriber(harness.chat_id)
    assert subscriber is not None
    assert (subscriber.tip_time, subscriber.timezone) == (time(7, 30), "Europe/Berlin")
    reply = await harness.say("/timezone UTC-5")
    assert "UTC-05:00" in reply.params["text"]
    settings = await harness.say("/settings")
    assert "07:30" in settings.params["text"] and "UTC-05:00" in settings.params["text"]


@pytest.mark.parametrize(
    ("code", "city", "zone"),
    [
        pytest.param("en", "Beijing", "Asia/Shanghai", id="Beijing"),
        pytest.param("en", "北京", "Asia/Shanghai", id="北京-from-an-english-app"),
        pytest.param("zh-hans", "北京", "Asia/Shanghai", id="北京"),
        pytest.param("zh-hans", "上海", "Asia/Shanghai", id="上海"),
        pytest.param("en", "london", "Europe/London", id="london-the-largest-not-ontario"),
        pytest.param("zh-hans", "伦敦", "Europe/London", id="伦敦"),
        pytest.param("en", "New York", "America/New_York", id="New-York"),
        pytest.param("en", "  new   YORK ", "America/New_York", id="spaces-and-case"),
        pytest.param("zh-hans", "Tokyo", "Asia/Tokyo", id="Tokyo-from-a-chinese-app"),
        pytest.param("zh-hans", "东京", "Asia/Tokyo", id="东京"),
    ],
)
async def test_timezone_by_a_city_name_in_either_language(
    harness: Harness, code: str, city: str, zone: str
) -> None:
    harness.language_code = code
    content = load_all()["zh" if code.startswith("zh") else "en"]
    reply = await harness.say(f"/timezone {city}")
    assert reply.params["text"] == content.message("timezone_set", time="09:00", timezone=zone)
    subscriber = harness.store.subscriber(harness.chat_id)
    assert subscriber is not None and subscriber.timezone == zone


@pytest.mark.parametrize("code", ["en", "zh-hans"])
async def test_an_unknown_place_is_explained_in_either_language(
    harness: Harness, code: str
) -> None:
    harness.language_code = code
    content = load_all()["zh" if code.startswith("zh") else "en"]
    reply = await harness.say("/timezone Atlantis Under The Sea")
    usage = content.message("timezone_usage")
    assert reply.params["text"] == content.message(
        "timezone_unknown", value="Atlantis Under The Sea", usage=usage
    )
    assert harness.store.subscriber(harness.chat_id) is None


async def test_bad_time_and_timezone_are_explained_and_change_nothing(
    harness: Harness, content: Content
) -> None:
    await harness.say("/subscribe")
    before = harness.store.subscriber(harness.chat_id)
    assert (await harness.say("/time 25:61")).params["text"] == content.message("time_usage")
    reply = await harness.say("/timezone Mars/Olympus_Mons")
    assert content.message("timezone_usage") in reply.params["text"]
    assert harness.store.subscriber(harness.chat_id) == before


async def test_settings_buttons_change_time_and_subscription(
    harness: Harness, content: Content
) -> None:
    view = await harness.say("/settings")
    message_id = view.result["message_id"]
    assert callbacks.SETTINGS_SUBSCRIBE in buttons(view.params)
    start = len(harness.calls)
    await harness.press(message_id, callbacks.TIME_MENU)
    menu = await harness.next_call(start, "editMessageText")
    assert callbacks.time_choice(time(7, 0)) in buttons(menu.params)
    answer = await harness.press(message_id, callbacks.time_choice(time(7, 0)))
    assert answer.params["text"] == content.answers["saved"]
    answer = await harness.press(message_id, callbacks.SETTINGS_SUBSCRIBE)
    assert answer.params["text"] == content.answers["subscribed"]
    subscriber = harness.store.subscriber(harness.chat_id)
    assert subscriber is not None and subscriber.subscribed and subscriber.tip_time == time(7)
    await harness.press(message_id, callbacks.timezone_choice("Asia/Tokyo"))
    subscriber = harness.store.subscriber(harness.chat_id)
    assert subscriber is not None and subscriber.timezone == "Asia/Tokyo"
