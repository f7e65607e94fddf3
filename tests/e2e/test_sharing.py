"""Sharing a technique with a helper: deep links that open a card (through the caution
check for someone new), inline mode in any chat, and the "send to my helper" button."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot import callbacks
from bot.render import techniques as render_techniques
from content import Content, load_all
from content.markup import check_caption, check_message
from storage import Caution
from tests.conftest import Harness
from tests.helpers import buttons, sample_permit

TECHNIQUES = ("kneading", "pressing", "pushing", "grasping")


def test_each_technique_has_a_link_the_bot_reads_back() -> None:
    for technique_id in TECHNIQUES:
        link = callbacks.technique_link("backcare_local_bot", technique_id)
        assert link == f"https://t.me/backcare_local_bot?start=technique-{technique_id}"
        payload = link.split("?start=")[1]
        assert callbacks.parse_technique_link(payload) == technique_id
    for payload in ("", "subscribe", "technique-", "tech:kneading"):
        assert callbacks.parse_technique_link(payload) is None
    with pytest.raises(ValueError, match="start payload"):
        callbacks.start_link("bot", "with space")


@pytest.mark.parametrize("technique_id", TECHNIQUES)
async def test_a_technique_link_asks_someone_new_the_caution_check_first(
    harness: Harness, content: Content, technique_id: str
) -> None:
    check = await harness.say(f"/start technique-{technique_id}")
    assert check.params["text"] == content.message("caution_check")
    none_apply = callbacks.caution(callbacks.CAUTION_NONE, technique_id)
    assert buttons(check.params)[0] == none_apply
    start = len(harness.calls)
    await harness.press(check.result["message_id"], none_apply)
    card = await harness.next_call(start, "sendPhoto")
    technique = content.technique(technique_id)
    assert technique is not None and technique.name in card.params["caption"]


async def test_a_technique_link_opens_the_card_for_someone_who_answered(
    harness: Harness, content: Content
) -> None:
    harness.store.set_caution(harness.chat_id, Caution.NONE, harness.clock())
    replies = await harness.say_all("/start technique-grasping")
    grasping = content.technique("grasping")
    assert grasping is not None
    assert replies[0].method == "sendPhoto" and grasping.name in replies[0].params["caption"]
    shown = "\n".join(c.params.get("caption") or c.params["text"] for c in replies)
    assert grasping.stop in shown
    assert content.message("welcome").splitlines()[0] not in shown


async def test_a_technique_link_keeps_the_doctor_first_for_someone_it_applies_to(
    harness: Harness, content: Content
) -> None:
    harness.store.set_caution(harness.chat_id, Caution.APPLIES, harness.clock())
    reply = await harness.say("/start technique-pushing")
    assert reply.method == "sendMessage"
    assert reply.params["text"] == content.message("caution_doctor_first")


@pytest.mark.parametrize("payload", ["technique-massage", "technique-", "hello", "subscribe"])
async def test_any_other_start_payload_gets_the_welcome(
    harness: Harness, content: Content, payload: str
) -> None:
    reply = await harness.say(f"/start {payload}")
    assert reply.params["text"] == content.message("welcome")


# Inline mode -----------------------------------------------------------------------------

BOT = "backcare_local_bot"
CONTENTS = load_all()


async def inline(bot: Harness, query: str, language_code: str = "en") -> dict[str, Any]:
    """Type ``@bot <query>`` in some chat; return the bot's answerInlineQuery."""
    update = bot.fake.api.inline_query(bot.chat_id, query, language_code=language_code)
    query_id = update["inline_query"]["id"]
    await bot.fake.wait_for(lambda: query_id in bot.fake.api.inline_answers)
    answer: dict[str, Any] = bot.fake.api.inline_answers[query_id]
    return answer


def ids(answer: dict[str, Any]) -> list[str]:
    return [result["id"] for result in answer["results"]]


def text_of(result: dict[str, Any]) -> str:
    return str(result["input_message_content"]["message_text"])


async def test_typing_a_technique_offers_its_whole_card_and_the_urgent_card(
    harness: Harness, content: Content
) -> None:
    harness.pass_caution_check()  # the safety decision allows massage: cards are offered
    before = harness.store.subscriber(harness.chat_id)
    answer = await inline(harness, "knead")
    assert ids(answer) == ["en.kneading", "en.urgent"]
    card, urgent = answer["results"]
    kneading = content.technique("kneading")
    assert kneading is not None
    text = text_of(card)
    assert card["type"] == "article" and card["title"] == kneading.name
    assert card["input_message_content"]["parse_mode"] == "HTML"
    caution = content.message("share_caution")
    for part in (kneading.what, kneading.dose, kneading.stop, caution):
        assert part in text
    # The stop rule, then who not to massage without asking a doctor, then the emergency.
    assert text.index(kneading.stop) < text.index(caution)
    assert text.index(caution) < text.index(content.message("share_urgent"))
    assert f"https://t.me/{BOT}?start=technique-kneading" in text
    assert content.pages["urgent"] in text_of(urgent)
    assert f"https://t.me/{BOT}?start=urgent" in text_of(urgent)
    # The same for everyone in that language, cached per user; nothing is stored.
    assert answer["cache_time"] == 300 and answer["is_personal"] is True
    assert harness.store.subscriber(harness.chat_id) == before


async def test_a_chinese_name_finds_the_chinese_card_from_any_app(harness: Harness) -> None:
    harness.pass_caution_check()
    zh = CONTENTS["zh"]
    kneading = zh.technique("kneading")
    assert kneading is not None
    for app in ("en", "zh-hans"):
        answer = await inline(harness, "揉", language_code=app)
        assert ids(answer)[0] == "zh.kneading"
        assert kneading.stop in text_of(answer["results"][0])
    assert ids(await inline(harness, "按压", language_code="zh"))[:1] == ["zh.pressing"]


@pytest.mark.parametrize("query", ["", "   ", "xyzzy"])
async def test_an_empty_or_unknown_query_offers_every_card_in_the_app_language(
    harness: Harness, query: str
) -> None:
    harness.pass_caution_check()
    assert ids(await inline(harness, query, "zh")) == [
        *(f"zh.{technique_id}" for technique_id in TECHNIQUES),
        "zh.urgent",
    ]


async def test_a_picture_telegram_already_has_is_offered_with_a_shorter_card(
    harness: Harness, content: Content
) -> None:
    harness.store.set_caution(harness.chat_id, Caution.NONE, harness.clock())
    await harness.say("/technique pressing")  # uploads the picture: now it has a file id
    answer = await inline(harness, "pressing")
    photo = answer["results"][0]
    pressing = content.technique("pressing")
    assert pressing is not None
    assert photo["type"] == "photo" and photo["id"] == "en.pressing"
    assert photo["photo_file_id"] in harness.fake.api.files
    caution = content.message("share_caution")
    for part in (pressing.name, pressing.dose, pressing.stop, caution):
        assert part in photo["caption"]
    assert photo["caption"].index(caution) < photo["caption"].index(content.message("share_urgent"))
    assert "start=technique-pressing" in photo["caption"]


def test_every_shared_card_fits_a_message_and_every_short_one_a_caption() -> None:
    for content in CONTENTS.values():
        for technique in content.techniques:
            link = callbacks.technique_link(BOT, technique.id)
            check_message(
                render_techniques.shared_technique(content, technique, link, sample_permit())
            )
            caption = render_techniques.shared_caption(content, technique, link, sample_permit())
            assert caption is not None, (content.language, technique.id)
            check_caption(caption)
        check_message(render_techniques.shared_urgent(content, callbacks.start_link(BOT, "urgent")))


async def test_every_card_has_a_send_to_my_helper_button_for_people_only(
    harness: Harness, content: Content
) -> None:
    harness.store.set_caution(harness.chat_id, Caution.NONE, harness.clock())
    for technique in content.techniques:
        card = await harness.say(f"/technique {technique.id}")
        share = [
            button
            for row in card.params["reply_markup"]["inline_keyboard"]
            for button in row
            if "switch_inline_query_chosen_chat" in button
        ]
        assert [button["text"] for button in share] == [content.buttons["share"]]
        chosen = share[0]["switch_inline_query_chosen_chat"]
        assert chosen == {"query": technique.name, "allow_user_chats": True}
        # What the button types is what finds this card.
        answer = await inline(harness, chosen["query"])
        assert ids(answer)[0].endswith(f".{technique.id}")


async def test_the_urgent_link_opens_the_urgent_card(harness: Harness, content: Content) -> None:
    reply = await harness.say("/start urgent")
    assert reply.params["text"] == content.pages["urgent"]


async def test_the_log_says_how_to_turn_inline_mode_on_when_it_is_off(
    stopped: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    stopped.fake.api.inline_mode = False
    with caplog.at_level("INFO", logger="bot.app"):
        async with stopped.running():
            pass
    assert any("/setinline" in record.getMessage() for record in caplog.records)
    caplog.clear()
    stopped.fake.api.inline_mode = True
    with caplog.at_level("INFO", logger="bot.app"):
        async with stopped.running():
            pass
    assert not any("/setinline" in record.getMessage() for record in caplog.records)


async def test_an_inline_query_that_expired_is_let_go_quietly(
    stopped: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    bot = stopped  # the usual harness fails a test on any refused request
    async with bot.running():
        update = bot.fake.api.inline_query(bot.chat_id, "knead")
        bot.fake.api.pending_inline.discard(update["inline_query"]["id"])  # 10 s passed
        await bot.fake.wait_for(lambda: update["update_id"] in bot.handled)
    (answer,) = [c for c in bot.calls if c.method == "answerInlineQuery"]
    assert answer.error is not None and "too old" in answer.error
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not bot.since(0, "sendMessage")  # no apology to a chat that is not there
