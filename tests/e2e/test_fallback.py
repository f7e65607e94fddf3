"""Free text and unknown commands: what the bot can do now (check in, a bad day's plan, the
warning signs) as buttons, the warning signs first when the words name one, in either
language whatever the app's; nothing typed is stored, echoed or logged; groups stay quiet."""

from __future__ import annotations

import logging

import pytest

from bot import callbacks
from content import Content, load
from tests.conftest import Harness
from tests.helpers import buttons, dump, group_message

OPTIONS = [callbacks.CHECKIN_ASK, callbacks.FLARE, callbacks.URGENT]
#: With the warning signs already shown, the options are the other two.
OPTIONS_AFTER_SIGNS = [callbacks.CHECKIN_ASK, callbacks.FLARE]


@pytest.mark.parametrize(
    ("app", "typed"),
    [
        pytest.param("en", "my back hurts a lot today", id="en"),
        pytest.param("zh-hans", "今天腰很痛", id="zh"),
        pytest.param("en", "/frobnicate", id="unknown-command"),
    ],
)
async def test_free_text_gets_what_the_bot_can_do_now(
    harness: Harness, app: str, typed: str
) -> None:
    words = load("zh" if app.startswith("zh") else "en")
    harness.language_code = app
    reply = await harness.say(typed)
    assert reply.error is None
    assert reply.params["text"] == words.message("fallback")
    assert buttons(reply.params) == OPTIONS


@pytest.mark.parametrize(
    ("app", "typed"),
    [
        pytest.param("en", "my left leg went numb and I have trouble peeing", id="en-en"),
        pytest.param("zh-hans", "左腿没力气，小便困难", id="zh-zh"),
        pytest.param("en", "腿麻了", id="chinese-words-english-app"),
        pytest.param("zh-hans", "my leg feels weak", id="english-words-chinese-app"),
        pytest.param("en", "/help_me my leg is numb", id="unknown-command"),
    ],
)
async def test_words_that_name_a_warning_sign_get_the_warning_signs_first(
    harness: Harness, app: str, typed: str
) -> None:
    words = load("zh" if app.startswith("zh") else "en")
    harness.language_code = app
    reply = await harness.say(typed)
    assert reply.error is None
    text = reply.params["text"]
    assert text.startswith(words.pages["urgent"])
    assert text.endswith(words.message("fallback_warning"))
    assert buttons(reply.params) == OPTIONS_AFTER_SIGNS


#: A string no reply or log line can hold by chance.
MARK = "Zq5e1c0ffee"


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param(f"<b>numb</b> & <i>weak {MARK}", id="html"),
        pytest.param(f"numb {MARK} " + "x" * 4000, id="long"),
        pytest.param(f"\u202e numb \u200b{MARK}", id="odd-unicode"),
    ],
)
async def test_nothing_typed_is_stored_echoed_or_logged(
    harness: Harness, content: Content, typed: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await harness.say("/subscribe")
    before = dump(harness.settings.db_path)
    reply = await harness.say(typed)
    assert reply.error is None  # valid Telegram HTML whatever was typed
    assert reply.params["text"].startswith(content.pages["urgent"])
    assert MARK not in reply.params["text"]
    assert dump(harness.settings.db_path) == before
    # The bot's own loggers (PTB's payload logs are reduced to their shape by bot.logs,
    # tests/e2e/test_logs.py).
    ours = [r for r in caplog.records if r.name.split(".")[0] in ("bot", "storage", "content")]
    assert not [r for r in ours if MARK in r.getMessage()]


@pytest.mark.parametrize(
    ("data", "page"),
    [
        pytest.param(callbacks.FLARE, "flare", id="bad-day"),
        pytest.param(callbacks.URGENT, "urgent", id="warning-signs"),
    ],
)
async def test_the_options_open_what_they_say(
    harness: Harness, content: Content, data: str, page: str
) -> None:
    reply = await harness.say("my back hurts a lot today")
    start = len(harness.calls)
    answer = await harness.press(reply.result["message_id"], data)
    assert answer.error is None
    shown = [c.params["text"] for c in harness.since(start) if "text" in c.params]
    assert content.pages[page] in shown


async def test_the_check_in_option_asks_the_question(harness: Harness, content: Content) -> None:
    reply = await harness.say("my back hurts a lot today")
    start = len(harness.calls)
    await harness.press(reply.result["message_id"], callbacks.CHECKIN_ASK)
    question = await harness.next_call(start, "sendMessage")
    assert question.params["text"] == content.message("checkin")


def test_the_warning_signs_and_the_options_fit_one_message() -> None:
    for language in ("en", "zh"):
        words = load(language)
        text = f"{words.pages['urgent']}\n\n{words.message('fallback_warning')}"
        assert len(text) <= 4096, language


async def test_a_group_gets_no_answer_to_free_text(harness: Harness) -> None:
    calls = await harness.handle(group_message(harness, "my leg is numb"))
    assert [c for c in calls if c.method == "sendMessage"] == []
