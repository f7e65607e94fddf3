"""Photos in the local Bot API: sending, editing and captions, checked as Telegram checks them."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    Message,
    SwitchInlineQueryChosenChat,
)
from telegram.error import BadRequest, Forbidden

from bot.console.localapi import BotApiError, LocalBotApi, Upload
from bot.console.terminal import LocalRequest, Terminal
from content.markup import MAX_CAPTION_LENGTH
from tests.fakeapi import FakeBotApi

CHAT = 42


def png(width: int = 40, height: int = 30, color: str = "white") -> bytes:
    """A small PNG picture."""
    output = io.BytesIO()
    Image.new("RGB", (width, height), color).save(output, format="PNG")
    return output.getvalue()


def upload(content: bytes | None = None) -> Upload:
    return Upload("chart.png", png() if content is None else content, "image/png")


async def send(api: LocalBotApi, **params: Any) -> dict[str, Any]:
    result: dict[str, Any] = await api.handle(
        "sendPhoto", {"chat_id": CHAT, "photo": upload(), **params}
    )
    return result


async def test_upload_returns_the_photo_and_caption() -> None:
    api = LocalBotApi()

    message = await send(api, photo=upload(png(120, 80)), caption="<b>Week</b>", parse_mode="HTML")

    (size,) = message["photo"]
    assert (size["width"], size["height"]) == (120, 80)
    assert api.files[size["file_id"]] == png(120, 80)
    assert size["file_size"] == len(png(120, 80))
    assert message["caption"] == "<b>Week</b>"
    assert api.messages[(CHAT, message["message_id"])] == message
    assert [c.result for c in api.photos(CHAT)] == [message]
    assert api.sent() == []


async def test_a_file_id_sends_the_same_file_again() -> None:
    api = LocalBotApi()
    (first,) = (await send(api))["photo"]

    (again,) = (await send(api, photo=first["file_id"]))["photo"]

    assert again == first
    assert len(api.files) == 1
    assert len(api.photos()) == 2


@pytest.mark.parametrize(
    ("params", "description"),
    [
        pytest.param({"photo": "no-such-file"}, "wrong file identifier", id="unknown-file-id"),
        pytest.param({"photo": None}, "wrong file identifier", id="no-photo"),
        pytest.param({"photo": upload(b"not a picture")}, "IMAGE_PROCESS_FAILED", id="not-image"),
        pytest.param({"photo": upload(png()[:60])}, "IMAGE_PROCESS_FAILED", id="truncated-image"),
        pytest.param(
            {"caption": "x" * (MAX_CAPTION_LENGTH + 1)}, "caption is too long", id="long-caption"
        ),
        pytest.param(
            {"caption": "<b>" + "x" * (MAX_CAPTION_LENGTH + 1) + "</b>", "parse_mode": "HTML"},
            "can't parse entities",
            id="long-html-caption",
        ),
        pytest.param(
            {"caption": "<b>bold", "parse_mode": "HTML"}, "can't parse entities", id="bad-html"
        ),
        pytest.param(
            {"reply_markup": {"inline_keyboard": [[{"text": "x", "callback_data": "d" * 65}]]}},
            "BUTTON_DATA_INVALID",
            id="long-callback-data",
        ),
    ],
)
async def test_bad_photos_are_refused(params: dict[str, Any], description: str) -> None:
    api = LocalBotApi()

    with pytest.raises(BotApiError, match=re.escape(description)) as raised:
        await send(api, **params)

    assert raised.value.code == 400
    assert api.photos() == []
    assert api.messages == {}


@pytest.mark.parametrize(
    "caption",
    [
        pytest.param("x" * MAX_CAPTION_LENGTH, id="longest"),
        pytest.param("<i>" + "x" * MAX_CAPTION_LENGTH + "</i>", id="longest-once-parsed"),
        pytest.param("", id="empty"),
    ],
)
async def test_captions_up_to_the_limit_are_taken(caption: str) -> None:
    api = LocalBotApi()

    message = await send(api, caption=caption, parse_mode="HTML")

    assert message["caption"] == caption


async def test_a_blocked_chat_is_forbidden() -> None:
    api = LocalBotApi(blocked={CHAT})

    with pytest.raises(BotApiError, match="blocked") as raised:
        await send(api)

    assert raised.value.code == 403
    assert api.files == {}


async def test_edit_media_takes_an_attached_part() -> None:
    api = LocalBotApi()
    message = await send(api, caption="old")
    media = {"type": "photo", "media": "attach://picture", "caption": "<i>new</i>"}

    edited = await api.handle(
        "editMessageMedia",
        {
            "chat_id": CHAT,
            "message_id": message["message_id"],
            "media": {**media, "parse_mode": "HTML"},
            "picture": upload(png(60, 60)),
        },
    )

    (size,) = edited["photo"]
    assert (size["width"], size["height"]) == (60, 60)
    assert size["file_id"] != message["photo"][0]["file_id"]
    assert edited["caption"] == "<i>new</i>"
    assert api.messages[(CHAT, message["message_id"])] == edited


async def test_edit_media_to_the_same_photo_is_not_a_change() -> None:
    api = LocalBotApi()
    message = await send(api)
    media = {"type": "photo", "media": message["photo"][0]["file_id"]}

    with pytest.raises(BotApiError, match="not modified"):
        await api.handle(
            "editMessageMedia",
            {"chat_id": CHAT, "message_id": message["message_id"], "media": media},
        )


@pytest.mark.parametrize(
    ("method", "params", "description"),
    [
        pytest.param(
            "editMessageMedia",
            {"media": {"type": "photo", "media": "attach://missing"}},
            "wrong file identifier",
            id="media-part-missing",
        ),
        pytest.param(
            "editMessageMedia",
            {
                "media": {
                    "type": "photo",
                    "media": "attach://p",
                    "caption": "<b>",
                    "parse_mode": "HTML",
                }
            },
            "can't parse entities",
            id="media-bad-html",
        ),
        pytest.param("editMessageMedia", {"media": {}}, "Media is not specified", id="no-media"),
        pytest.param(
            "editMessageCaption",
            {"caption": "x" * (MAX_CAPTION_LENGTH + 1)},
            "caption is too long",
            id="caption-too-long",
        ),
        pytest.param(
            "editMessageText", {"text": "now text"}, "no text in the message", id="text-of-photo"
        ),
    ],
)
async def test_bad_edits_are_refused(method: str, params: dict[str, Any], description: str) -> None:
    api = LocalBotApi()
    message = await send(api)

    with pytest.raises(BotApiError, match=re.escape(description)):
        await api.handle(
            method, {"chat_id": CHAT, "message_id": message["message_id"], "p": upload(), **params}
        )


@pytest.mark.parametrize(
    ("method", "params"),
    [
        pytest.param("editMessageMedia", {"media": {"type": "photo", "media": "attach://p"}}),
        pytest.param("editMessageCaption", {"caption": "new"}),
    ],
)
async def test_editing_a_missing_message_is_refused(method: str, params: dict[str, Any]) -> None:
    api = LocalBotApi()

    with pytest.raises(BotApiError, match="message to edit not found"):
        await api.handle(method, {"chat_id": CHAT, "message_id": 7, "p": upload(), **params})


async def test_edit_caption_changes_only_the_caption() -> None:
    api = LocalBotApi()
    message = await send(api, caption="old")

    edited = await api.handle(
        "editMessageCaption",
        {"chat_id": CHAT, "message_id": message["message_id"], "caption": "new"},
    )

    assert edited["caption"] == "new"
    assert edited["photo"] == message["photo"]


async def test_a_text_message_has_no_caption_to_edit() -> None:
    api = LocalBotApi()
    message = await api.handle("sendMessage", {"chat_id": CHAT, "text": "hello"})

    with pytest.raises(BotApiError, match="no caption"):
        await api.handle(
            "editMessageCaption",
            {"chat_id": CHAT, "message_id": message["message_id"], "caption": "x"},
        )


async def test_photos_over_http_from_a_real_bot(fake: FakeBotApi) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Again", callback_data="again")]])
    async with Bot(fake.token, base_url=fake.base_url) as bot:
        sent = await bot.send_photo(
            CHAT,
            photo=png(80, 45),
            filename="chart.png",
            caption="<b>x</b>",
            parse_mode="HTML",
            reply_markup=keyboard,
        )
        again = await bot.send_photo(CHAT, photo=sent.photo[-1].file_id)
        edited = await bot.edit_message_media(
            InputMediaPhoto(png(90, 50), caption="<i>y</i>", parse_mode="HTML"),
            chat_id=CHAT,
            message_id=sent.message_id,
        )
        captioned = await bot.edit_message_caption(CHAT, again.message_id, caption="z")

    upload_call, resend_call = fake.api.photos(CHAT)
    assert upload_call.params["photo"] == Upload("chart.png", png(80, 45), "image/png")
    assert resend_call.params["photo"] == sent.photo[-1].file_id
    assert (sent.photo[-1].width, sent.photo[-1].height) == (80, 45)
    assert sent.caption == "<b>x</b>"
    assert again.photo == sent.photo
    assert isinstance(edited, Message)
    assert (edited.photo[-1].width, edited.photo[-1].height) == (90, 50)
    assert edited.caption == "<i>y</i>"
    assert edited.reply_markup is None
    assert isinstance(captioned, Message)
    assert captioned.caption == "z"


@pytest.mark.parametrize(
    ("photo", "caption", "parse_mode", "error"),
    [
        pytest.param(
            png(), "x" * (MAX_CAPTION_LENGTH + 1), None, "caption is too long", id="long-caption"
        ),
        pytest.param(png(), "<b>x", "HTML", "can't parse entities", id="bad-html"),
        pytest.param("no-such-file", None, None, "wrong file identifier", id="unknown-file-id"),
        pytest.param(b"GIF", None, None, "IMAGE_PROCESS_FAILED", id="not-image"),
    ],
)
async def test_a_refused_photo_is_a_bad_request_over_http(
    fake: FakeBotApi, photo: bytes | str, caption: str | None, parse_mode: str | None, error: str
) -> None:
    async with Bot(fake.token, base_url=fake.base_url) as bot:
        # PTB drops Telegram's "Bad Request: " and capitalises the rest.
        with pytest.raises(BadRequest, match=f"(?i){re.escape(error)}"):
            await bot.send_photo(CHAT, photo=photo, caption=caption, parse_mode=parse_mode)


@pytest.mark.parametrize(
    "block",
    [
        pytest.param(lambda fake: fake.api.blocked.add(CHAT), id="blocked"),
        pytest.param(lambda fake: fake.faults.update({CHAT: ["403"]}), id="fault"),
    ],
)
async def test_a_blocked_user_is_forbidden_over_http(fake: FakeBotApi, block: Any) -> None:
    block(fake)
    async with Bot(fake.token, base_url=fake.base_url) as bot:
        with pytest.raises(Forbidden):
            await bot.send_photo(CHAT, photo=png())


async def test_the_terminal_saves_pictures_and_prints_captions(tmp_path: Path) -> None:
    api = LocalBotApi()
    output = io.StringIO()
    api.on_call = Terminal(output, color=False, files=api.files, pictures=tmp_path).show
    async with Bot("1:LOCAL", request=LocalRequest(api)) as bot:
        sent = await bot.send_photo(CHAT, photo=png(), caption="<b>Pain</b> &amp; sleep")
        await bot.edit_message_media(
            InputMediaPhoto(png(20, 20), caption="later"), chat_id=CHAT, message_id=sent.message_id
        )

    first, edited = (c.result["photo"][-1]["file_id"] for c in api.calls[-2:])
    assert output.getvalue().splitlines() == [
        f"bot> [picture: {tmp_path / first}.png]",
        "     Pain & sleep",
        f"bot (edited)> [picture: {tmp_path / edited}.png]",
        "     later",
    ]
    assert (tmp_path / f"{first}.png").read_bytes() == png()
    assert (tmp_path / f"{edited}.png").read_bytes() == png(20, 20)


async def test_the_terminal_marks_the_chat_picker_button_as_telegram_only(tmp_path: Path) -> None:
    api = LocalBotApi()
    output = io.StringIO()
    terminal = Terminal(output, color=False, files=api.files, pictures=tmp_path)
    api.on_call = terminal.show
    picker = InlineKeyboardButton(
        "Send", switch_inline_query_chosen_chat=SwitchInlineQueryChosenChat("x", True)
    )
    async with Bot("1:LOCAL", request=LocalRequest(api)) as bot:
        await bot.send_message(
            CHAT,
            "card",
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("Back", callback_data="tech")], [picker]]
            ),
        )
    assert output.getvalue().splitlines()[-1] == "     [2] Send (in Telegram)"
    pressed = [terminal.button(number) for number in ("1", "2")]
    assert [press[1] if press else None for press in pressed] == ["tech", ""]
