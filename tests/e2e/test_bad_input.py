"""Bad input gets a clear short reply or is ignored: never a traceback, never a bad write."""

from __future__ import annotations

import logging

import pytest

from bot import callbacks
from content import Content
from content.loader import COMMANDS
from tests.conftest import Harness
from tests.helpers import dump

GARBAGE = [
    pytest.param("<script>alert(1)</script>", id="html"),
    pytest.param("& &amp; &lt; <b>unclosed", id="entities"),
    pytest.param("x" * 4000, id="4000-chars"),
    pytest.param("\u202e\u200b\U0001f9b4 \x00 ｔｅｓｔ 𝕏", id="odd-unicode"),
    pytest.param("'; DROP TABLE subscribers; --", id="sql"),
    pytest.param("{time} {0} %s", id="placeholders"),
]


def refused(harness: Harness) -> list[str]:
    return [f"{c.method}: {c.error}" for c in harness.calls if c.error]


@pytest.mark.parametrize("garbage", GARBAGE)
async def test_garbage_after_every_command_gets_a_valid_reply(
    harness: Harness, content: Content, garbage: str, caplog: pytest.LogCaptureFixture
) -> None:
    for command in COMMANDS:
        replies = await harness.say_all(f"/{command} {garbage}")
        assert replies, command
        for reply in replies:
            assert reply.params.get("text") != content.message("error"), command
    assert refused(harness) == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("garbage", GARBAGE)
async def test_bad_time_and_timezone_write_nothing(harness: Harness, garbage: str) -> None:
    await harness.say("/subscribe")
    before = dump(harness.settings.db_path)
    await harness.say(f"/time {garbage}")
    await harness.say(f"/timezone {garbage}")
    assert dump(harness.settings.db_path) == before


@pytest.mark.parametrize("garbage", GARBAGE)
async def test_free_text_points_to_help(harness: Harness, content: Content, garbage: str) -> None:
    reply = await harness.say(garbage)
    assert reply.params["text"] == content.message("fallback")


async def test_unknown_command_and_sticker_point_to_help(
    harness: Harness, content: Content
) -> None:
    assert (await harness.say("/frobnicate now")).params["text"] == content.message("fallback")
    sticker = {
        "message_id": 999,
        "date": 0,
        "chat": {"id": harness.chat_id, "type": "private"},
        "from": {"id": harness.chat_id, "is_bot": False, "first_name": "You"},
        "sticker": {
            "file_id": "x",
            "file_unique_id": "y",
            "width": 1,
            "height": 1,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
        },
    }
    calls = await harness.handle(harness.fake.api.queue({"message": sticker}))
    assert [c.params["text"] for c in calls if c.method == "sendMessage"] == [
        content.message("fallback")
    ]


@pytest.mark.parametrize(
    "data",
    [
        pytest.param("tech:nosuchtechnique", id="unknown-technique"),
        pytest.param("caution:none:nosuchtechnique", id="caution-unknown-technique"),
        pytest.param("caution:cleared:kneading", id="caution-cleared-unasked"),
        pytest.param("set:time:9999", id="impossible-time"),
        pytest.param("set:tz:Mars/Base", id="unknown-timezone"),
        pytest.param("admin:drop", id="forged"),
        pytest.param("x" * 64, id="long"),
    ],
)
async def test_stale_or_forged_buttons_are_answered(
    harness: Harness, content: Content, data: str
) -> None:
    view = await harness.say("/settings")
    before = dump(harness.settings.db_path)
    answer = await harness.press(view.result["message_id"], data)
    assert answer.params["text"] == content.answers["stale"]
    assert dump(harness.settings.db_path) == before


async def test_button_on_a_message_the_bot_no_longer_has_is_answered(
    harness: Harness, content: Content
) -> None:
    # A press on a message Telegram no longer has (deleted, or too old): nothing to turn
    # into a picture, so the card goes out as new messages, and the press is answered.
    harness.pass_caution_check()
    start = len(harness.calls)
    answer = await harness.press(123456, callbacks.technique("grasping"))
    assert answer.error is None
    assert harness.since(start, "editMessageMedia") == []
    grasping = content.technique("grasping")
    assert grasping is not None
    (picture,) = harness.since(start, "sendPhoto")
    assert grasping.name in picture.params["caption"]
    shown = picture.params["caption"] + "".join(
        c.params["text"] for c in harness.since(start, "sendMessage")
    )
    assert grasping.stop in shown


@pytest.mark.parametrize(
    "update",
    [
        pytest.param(
            {
                "edited_message": {
                    "message_id": 5,
                    "date": 0,
                    "edit_date": 1,
                    "chat": {"id": 42, "type": "private"},
                    "text": "hi",
                }
            },
            id="edited-message",
        ),
        pytest.param(
            {
                "channel_post": {
                    "message_id": 5,
                    "date": 0,
                    "chat": {"id": -100, "type": "channel"},
                    "text": "/start",
                }
            },
            id="channel-post",
        ),
        pytest.param(
            {
                "my_chat_member": {
                    "chat": {"id": 42, "type": "private"},
                    "date": 0,
                    "from": {"id": 42, "is_bot": False, "first_name": "You"},
                    "old_chat_member": {
                        "status": "member",
                        "user": {"id": 1, "is_bot": True, "first_name": "bot"},
                    },
                    "new_chat_member": {
                        "status": "kicked",
                        "until_date": 0,
                        "user": {"id": 1, "is_bot": True, "first_name": "bot"},
                    },
                }
            },
            id="my-chat-member",
        ),
        pytest.param(
            {
                "message": {
                    "message_id": 6,
                    "date": 0,
                    "chat": {"id": -5, "type": "group", "title": "g"},
                    "from": {"id": 7, "is_bot": False, "first_name": "A"},
                    "text": "hello group",
                }
            },
            id="group-text",
        ),
    ],
)
async def test_updates_without_a_private_message_are_ignored(
    harness: Harness, update: dict, caplog: pytest.LogCaptureFixture
) -> None:
    calls = await harness.handle(harness.fake.api.queue(update))
    assert calls == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_editing_a_message_into_a_command_does_nothing(harness: Harness) -> None:
    """Only new messages are commands: an edit into "/tip" sends no second tip."""
    sent = harness.fake.api.user_message(harness.chat_id, "hello", queue=False)["message"]
    edited = {**sent, "text": "/tip", "edit_date": sent["date"] + 5}
    edited["entities"] = [{"type": "bot_command", "offset": 0, "length": 4}]
    calls = await harness.handle(harness.fake.api.queue({"edited_message": edited}))
    assert [c for c in calls if c.method in ("sendMessage", "sendPhoto")] == []
    subscriber = harness.store.subscriber(harness.chat_id)
    assert subscriber is None or subscriber.tip_cursor == 0  # no tip was taken
