"""English and Simplified Chinese over HTTP: the language from the Telegram app, /language,
the per-language command menu, daily tips in the user's language, and picture uploads."""

from __future__ import annotations

import pytest

from bot import callbacks
from bot.console.localapi import Upload
from bot.ops.content import picked
from bot.render import techniques as render_techniques
from bot.render import tips as render_tips
from content import Content, load_all
from tests.conftest import START, FakeClock, Harness
from tests.helpers import buttons, sample_permit

CONTENTS = load_all()
EN, ZH = CONTENTS["en"], CONTENTS["zh"]


@pytest.mark.parametrize(
    ("code", "content"),
    [
        pytest.param("zh", ZH, id="zh"),
        pytest.param("zh-hans", ZH, id="zh-hans"),
        pytest.param("zh-CN", ZH, id="zh-CN"),
        pytest.param("zh-sg", ZH, id="zh-sg"),
        pytest.param("zh-hant", EN, id="zh-hant"),
        pytest.param("en", EN, id="en"),
        pytest.param("de", EN, id="de"),
        pytest.param("", EN, id="none"),
    ],
)
async def test_replies_follow_the_telegram_app_language(
    harness: Harness, code: str, content: Content
) -> None:
    harness.language_code = code
    reply = await harness.say("/start")
    assert reply.params["text"] == content.message("welcome")


async def test_the_menu_is_registered_per_language(harness: Harness) -> None:
    api = harness.fake.api
    assert [c["description"] for c in api.menu_for("zh-hans")] == list(ZH.commands.values())
    assert [c["description"] for c in api.menu_for("en")] == list(EN.commands.values())
    assert [c["command"] for c in api.menu_for("zh")] == [c["command"] for c in api.commands]


async def test_the_bot_introduces_itself_in_each_language_and_sets_it_only_once(
    stopped: Harness,
) -> None:
    api = stopped.fake.api
    async with stopped.running():
        await stopped.fake.wait_call("setMyCommands")
    assert api.profile == {
        ("description", ""): EN.profile["description"],
        ("short_description", ""): EN.profile["short_description"],
        ("description", "zh"): ZH.profile["description"],
        ("short_description", "zh"): ZH.profile["short_description"],
    }
    # What it is, and that it gives information, not a diagnosis, in both lengths.
    for text in EN.profile.values():
        assert "not a diagnosis" in text and "back" in text
    for text in ZH.profile.values():
        assert "不做诊断" in text and "腰" in text
    sets = [c for c in stopped.calls if c.method.startswith("setMy") and "escription" in c.method]
    assert len(sets) == 4
    # A restart reads them back and sets nothing that is already there.
    api.profile["short_description", "zh"] = "changed in BotFather"
    start = len(stopped.calls)
    async with stopped.running():
        await stopped.fake.wait_for(
            lambda: [c for c in stopped.since(start) if c.method == "setMyCommands"]
        )
    again = [c.method for c in stopped.since(start) if "escription" in c.method]
    assert again.count("setMyShortDescription") == 1 and "setMyDescription" not in again
    assert api.profile["short_description", "zh"] == ZH.profile["short_description"]


async def test_language_command_switches_and_says_so_in_the_new_language(
    harness: Harness,
) -> None:
    harness.language_code = "zh-hans"
    assert (await harness.say("/help")).params["text"] == ZH.message("help")
    assert (await harness.say("/language en")).params["text"] == EN.message("language_set")
    assert (await harness.say("/help")).params["text"] == EN.message("help")
    assert (await harness.say("/language 中文")).params["text"] == ZH.message("language_set")


async def test_language_without_a_choice_offers_buttons(harness: Harness) -> None:
    menu = await harness.say("/language klingon")
    assert menu.params["text"] == EN.message("language_choose")
    assert buttons(menu.params) == [callbacks.language("en"), callbacks.language("zh")]
    start = len(harness.calls)
    await harness.press(menu.result["message_id"], callbacks.language("zh"))
    edit = await harness.next_call(start, "editMessageText")
    assert edit.params["text"] == ZH.message("language_set")
    assert (await harness.say("/help")).params["text"] == ZH.message("help")


async def test_a_forged_language_button_is_stale(harness: Harness) -> None:
    menu = await harness.say("/language")
    answer = await harness.press(menu.result["message_id"], "lang:xx")
    assert answer.params["text"] == EN.answers["stale"]
    assert harness.store.subscriber(harness.chat_id) is None


async def test_the_choice_survives_a_restart(stopped: Harness) -> None:
    async with stopped.running():
        await stopped.say("/language zh")
    async with stopped.running():
        assert (await stopped.say("/help")).params["text"] == ZH.message("help")


async def test_daily_tip_comes_in_the_app_language(harness: Harness, clock: FakeClock) -> None:
    harness.language_code = "zh-hans"
    await harness.say("/subscribe")
    clock.set(START.replace(hour=9))
    start = len(harness.calls)
    await harness.tick()
    sent = [c for c in harness.since(start, "sendMessage")]
    assert [c.params["text"] for c in sent] == [render_tips.daily_tip(ZH, picked(ZH, 0)).text]
    assert ZH.message("program_day", day="1", days="30") in sent[0].params["text"]


async def test_daily_tip_follows_a_changed_app_language_unless_chosen(
    harness: Harness, clock: FakeClock
) -> None:
    harness.language_code = "zh"
    await harness.say("/subscribe")
    harness.language_code = "en"
    await harness.say("/help")  # the app now reports English
    clock.set(START.replace(hour=9))
    start = len(harness.calls)
    await harness.tick()
    (tip,) = harness.since(start, "sendMessage")
    assert tip.params["text"] == render_tips.daily_tip(EN, picked(EN, 0)).text


async def test_chinese_technique_card_and_picture(harness: Harness) -> None:
    harness.language_code = "zh-hans"
    harness.pass_caution_check()
    picture, *rest = await harness.say_all("/technique 按法")
    pressing = ZH.technique("pressing")
    assert pressing is not None
    card = render_techniques.technique_captioned(ZH, pressing, sample_permit())
    assert picture.params["caption"] == card.caption.text
    assert [c.params["text"] for c in rest] == ([card.rest.text] if card.rest else [])
    assert harness.store.file_id("zh/pressing") is not None


@pytest.mark.parametrize(
    ("code", "name", "technique_id"),
    [
        pytest.param("en", "按压", "pressing", id="en-app-chinese-alias"),
        pytest.param("en", "揉", "kneading", id="en-app-chinese-short"),
        pytest.param("en", "拿捏", "grasping", id="en-app-chinese-alias-2"),
        pytest.param("zh-hans", "Pushing", "pushing", id="zh-app-english-name"),
        pytest.param("zh-hans", "acupressure", "pressing", id="zh-app-english-alias"),
    ],
)
async def test_a_technique_named_in_either_language_opens_in_the_users(
    harness: Harness, code: str, name: str, technique_id: str
) -> None:
    harness.language_code = code
    harness.pass_caution_check()
    content = ZH if code.startswith("zh") else EN
    technique = content.technique(technique_id)
    assert technique is not None
    picture, *_ = await harness.say_all(f"/technique {name}")
    card = render_techniques.technique_captioned(content, technique, sample_permit())
    assert picture.params["caption"] == card.caption.text


# Pictures are uploaded once per bot and language -------------------------------------------------


async def test_each_picture_is_uploaded_once_then_sent_by_file_id(harness: Harness) -> None:
    first = await harness.say("/technique")
    second = await harness.say("/technique")
    assert isinstance(first.params["photo"], Upload)
    assert second.params["photo"] == first.result["photo"][-1]["file_id"]
    assert harness.store.file_id("en/overview") == second.params["photo"]


async def test_each_language_uploads_its_own_picture(harness: Harness) -> None:
    await harness.say("/technique")
    harness.language_code = "zh"
    chinese = await harness.say("/technique")
    assert isinstance(chinese.params["photo"], Upload)
    assert chinese.params["caption"] == ZH.message("technique_list")


async def test_editing_into_a_technique_uploads_it_once(harness: Harness) -> None:
    harness.pass_caution_check()
    listing = await harness.say("/technique")
    message_id = listing.result["message_id"]
    edits = []
    for technique_id in ("kneading", "pushing", "kneading"):
        start = len(harness.calls)
        await harness.press(message_id, callbacks.technique(technique_id))
        edits.append(await harness.next_call(start, "editMessageMedia"))
    media = [edit.params["media"]["media"] for edit in edits]
    assert media[0].startswith("attach://") and media[1].startswith("attach://")
    assert media[2] == harness.store.file_id("en/kneading")


async def test_a_refused_file_id_is_forgotten_and_the_picture_uploaded_again(
    harness: Harness, clock: FakeClock
) -> None:
    harness.store.set_file_id("en/overview", "not-a-file-id", clock())
    refused, reply = await harness.say_all("/technique")
    assert refused.error is not None and "file identifier" in refused.error
    assert isinstance(reply.params["photo"], Upload) and reply.error is None
    assert harness.store.file_id("en/overview") == reply.result["photo"][-1]["file_id"]
    harness.calls.remove(refused)  # refused on purpose; the fixture checks for others


async def test_a_picture_that_cannot_be_edited_is_sent_anew_keeping_its_file_id(
    harness: Harness,
) -> None:
    """An edit refused for another reason than the file id (the message was deleted while
    the press was on its way) neither forgets the id nor leaves the user with nothing."""
    harness.pass_caution_check()
    await harness.say_all("/technique kneading")  # kneading is uploaded once
    file_id = harness.store.file_id("en/kneading")
    listing = await harness.say("/technique")
    message_id = listing.result["message_id"]
    api = harness.fake.api
    press = api.press(harness.chat_id, message_id, callbacks.technique("kneading"), queue=False)
    del api.messages[(harness.chat_id, message_id)]  # deleted meanwhile
    update = api.queue({key: value for key, value in press.items() if key != "update_id"})
    start = len(harness.calls)
    await harness.handle(update)
    (refused,) = harness.since(start, "editMessageMedia")
    assert refused.error is not None and "not found" in refused.error
    (photo,) = harness.since(start, "sendPhoto")
    assert photo.params["photo"] == file_id and photo.error is None
    assert harness.store.file_id("en/kneading") == file_id
    harness.calls.remove(refused)  # refused on purpose; the fixture checks for others
