"""Groups get the information pages; everything personal points to a private chat.

The defects this guards: in a group, one member's caution answer opened the technique
cards for every member, any member could record a pain score for the group, and any member
could erase the group's data.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot import callbacks
from bot.console.localapi import Call
from bot.handlers import PERSONAL_COMMANDS, PUBLIC_COMMANDS
from bot.render import pages as render_pages
from content import load
from storage.store import chat_tables
from tests.conftest import Harness
from tests.helpers import GROUP, MEMBER, group_message, next_message_id

BOT_USERNAME = "backcare_local_bot"


def group_press(harness: Harness, message_id: int, data: str) -> dict[str, Any]:
    """A member's press on a button of a message in the group."""
    query_id = str(next_message_id())
    harness.fake.api.pending_callbacks.add(query_id)
    # The fake keeps the bot's messages as if every chat were private: the group's chat.
    message = {
        **harness.fake.api.messages.get((GROUP, message_id), {"message_id": message_id}),
        "chat": {"id": GROUP, "type": "supergroup", "title": "Back club"},
        "date": 0,
    }
    return harness.fake.api.queue(
        {
            "callback_query": {
                "id": query_id,
                "from": {"id": MEMBER, "is_bot": False, "first_name": "M"},
                "chat_instance": str(GROUP),
                "data": data,
                "message": message,
            }
        }
    )


def rows_about_anyone_here(harness: Harness) -> int:
    """Rows stored under the group's id or the member's, in any table with a chat_id."""
    return sum(
        harness.store.db.execute(
            f'SELECT count(*) FROM "{table}" WHERE chat_id IN (?, ?)', [GROUP, MEMBER]
        ).fetchone()[0]
        for table in chat_tables(harness.store.db)
    )


def sent_messages(calls: list[Call]) -> list[Call]:
    return [call for call in calls if call.method in ("sendMessage", "sendPhoto")]


@pytest.mark.parametrize("command", sorted(PERSONAL_COMMANDS))
@pytest.mark.parametrize("chat_type", ["group", "supergroup"])
async def test_a_personal_command_in_a_group_points_to_the_private_chat(
    harness: Harness, command: str, chat_type: str
) -> None:
    content = load()
    calls = await harness.handle(group_message(harness, f"/{command}", chat_type))
    (reply,) = sent_messages(calls)
    expected = render_pages.private_only(content, BOT_USERNAME, PUBLIC_COMMANDS)
    assert reply.params["chat_id"] == GROUP
    assert reply.params["text"] == expected.text
    (row,) = reply.params["reply_markup"]["inline_keyboard"]
    link = f"https://t.me/{BOT_USERNAME}?start=private"
    assert row == [{"text": content.buttons["open_private"], "url": link}]
    # It names the commands that do work here, every one of them.
    assert all(f"/{name}" in reply.params["text"] for name in PUBLIC_COMMANDS)
    assert rows_about_anyone_here(harness) == 0


@pytest.mark.parametrize("command", sorted(PUBLIC_COMMANDS))
async def test_information_commands_work_in_groups_as_in_private(
    harness: Harness, command: str
) -> None:
    in_private = await harness.say_all(f"/{command}")
    calls = await harness.handle(group_message(harness, f"/{command}"))
    in_group = sent_messages(calls)
    assert [c.params.get("text") for c in in_group] == [c.params.get("text") for c in in_private]
    assert all(c.params["chat_id"] == GROUP for c in in_group)
    assert rows_about_anyone_here(harness) == 0


@pytest.mark.parametrize(
    "data",
    [
        callbacks.caution("none", "tech"),
        callbacks.checkin(9),
        callbacks.DELETE_CONFIRM,
        callbacks.SUBSCRIBE,
        callbacks.TECHNIQUES,
        callbacks.technique("kneading"),
        callbacks.pause_choice(3),
    ],
)
async def test_a_personal_button_pressed_in_a_group_is_answered_once_and_stores_nothing(
    harness: Harness, data: str
) -> None:
    content = load()
    sent = await harness.handle(group_message(harness, "/help"))
    message_id = sent_messages(sent)[0].result["message_id"]
    calls = await harness.handle(group_press(harness, message_id, data))
    (answer,) = [c for c in calls if c.method == "answerCallbackQuery"]
    assert answer.params["text"] == content.answers["private_only"]
    assert answer.params["url"] == f"https://t.me/{BOT_USERNAME}?start=private"
    assert sent_messages(calls) == []
    assert rows_about_anyone_here(harness) == 0


async def test_an_information_page_button_works_in_a_group(harness: Harness) -> None:
    content = load()
    sent = await harness.handle(group_message(harness, "/help"))
    message_id = sent_messages(sent)[0].result["message_id"]
    calls = await harness.handle(group_press(harness, message_id, callbacks.SAFETY))
    (answer,) = [c for c in calls if c.method == "answerCallbackQuery"]
    assert "text" not in answer.params
    (page,) = sent_messages(calls)
    assert page.params["chat_id"] == GROUP
    assert page.params["text"] == render_pages.page(content, "safety").text
    assert rows_about_anyone_here(harness) == 0
