"""Property-based fuzzing of the real Application through the local fake Bot API.

Hypothesis generates batches of updates (commands with hostile arguments, button presses
with valid, mutated, forged and other chats' data, edited messages, group, supergroup and
channel posts, inline queries, membership changes, updates with fields missing) from many
chats at once; the bot handles them over real HTTP, as in production. After every batch:
the error handler never fired (nothing was logged at ERROR), every press was answered
exactly once, Telegram's checks passed on every request the bot made (no malformed HTML,
no over-long text, no invalid button), no reply carries a control or format character, and
the bot is still up. At the end: ``PRAGMA integrity_check`` is ok and no row names a group.

The bot runs on an event loop in a thread of its own; Hypothesis drives it from the test's
thread. Profiles: ``ci`` (2,000 examples, derandomized, the default, run by ``make test``)
and ``fuzz`` (10,000 examples, a fresh seed each run: ``make fuzz``).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram import Update
from telegram.ext import TypeHandler

from bot import callbacks
from bot.app import build_application, running
from bot.console.localapi import Call
from bot.context import BotApplication
from bot.handlers import PERSONAL_COMMANDS, PUBLIC_COMMANDS
from storage import Store
from storage.store import chat_tables
from tests.conftest import LAST_GROUP, FakeClock, settings_for
from tests.fakeapi import FakeBotApi

#: Refusals that say the bot sent something malformed: none may ever happen. (Others,
#: like editing a message that is gone, are the world's state, and the bot copes.)
MALFORMED = (
    "can't parse",
    "too long",
    "is empty",
    "BUTTON_DATA_INVALID",
    "button text",
    "query is too old",  # a press answered twice
    "wrong file identifier",
    "IMAGE_PROCESS_FAILED",
    "unsupported media",
    "Media is not specified",
    "invalid",
)
PRIVATE_CHATS = [1001, 1002, 1003, 1004, 1005]
GROUP_CHATS = [-1001, -100_2002]
CHANNEL = -100_3003
COMMANDS = sorted({*PUBLIC_COMMANDS, *PERSONAL_COMMANDS, "nosuch", "START", "help@other_bot"})
#: Texts that have hurt bots: bidi and zero-width controls, HTML, huge numbers, odd spaces.
NASTY = [
    "\u202e",
    "\u200b",
    "\u2066",
    "<b>",
    "</i>",
    "&amp;",
    "<a href='x'>",
    "99999999999999999999",
    "-1",
    "0",
    "24:00",
    "25:61",
    "localtime",
    "Factory",
    "UTC+14:01",
    "Europe/Berlin",
    "揉法",
    "\x00",
    "\t\n",
    "ｋｎｅａｄ",
]
PREFIXES = [
    callbacks.TECHNIQUES,
    callbacks.TECHNIQUE_PREFIX,
    callbacks.SAFETY,
    callbacks.SUBSCRIBE,
    callbacks.SETTINGS,
    callbacks.TIME_PREFIX,
    callbacks.TIMEZONE_PREFIX,
    callbacks.DAYS_MENU,
    callbacks.DAY_PREFIX,
    callbacks.PAUSE_PREFIX,
    callbacks.RESUME,
    callbacks.DELETE_CONFIRM,
    callbacks.DELETE_CANCEL,
    callbacks.CAUTION_PREFIX,
    callbacks.CAUTION_RETAKE,
    callbacks.CHECKIN_PREFIX,
    callbacks.CHECKIN_ASK,
    callbacks.HOLD_FINE,
    callbacks.PROGRESS,
    callbacks.SETTINGS_CHECKIN_ON,
    callbacks.LANGUAGE_PREFIX,
    callbacks.FEEDBACK_PREFIX,
    callbacks.FEEDBACK_SAVED,
    callbacks.BROADCAST_CONFIRM_PREFIX,
    callbacks.BROADCAST_STOP_PREFIX,
    # Guided sessions, a bad day, the warning-signs note and "Later" (issues 14-15).
    "ses:go:",
    "ses:pause:",
    "ses:skip:",
    "ses:pain:",
    "ses:feel:1:",
    callbacks.FLARE,
    callbacks.CHECKIN_RED_FLAG,
    "later:2026-11-26",
    "later:2026-11-26:",
    "",
]


class BotThread:
    """The real bot (polling the fake Bot API) on an event loop in its own thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.handled: set[int] = set()
        self.fake = FakeBotApi()
        self.application: BotApplication | None = None
        self._running: Any = None
        self.message_ids: dict[int, list[int]] = {}

    def call(self, coroutine: Any, timeout: float = 30) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def start(self) -> None:
        self.thread.start()
        self.call(self._start())

    def stop(self) -> None:
        self.call(self._stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    async def _start(self) -> None:
        await self.fake.__aenter__()
        bot_settings = settings_for(
            self.fake, self.path, send_rate=0, chat_rate=0, tick_seconds=3600.0
        )
        self.application = build_application(bot_settings, clock=FakeClock())

        async def record(update: Update, context: object) -> None:
            self.handled.add(update.update_id)
            self.fake.api.notify()

        self.application.add_handler(TypeHandler(Update, record), group=LAST_GROUP)
        self._running = running(self.application, polling=True)
        await self._running.__aenter__()
        await self.fake.wait_call("setMyCommands")

    async def _stop(self) -> None:
        await self._running.__aexit__(None, None, None)
        await self.fake.stop()

    def send(self, updates: list[dict[str, Any]]) -> list[Call]:
        """Queue ``updates`` at once; wait until every one was handled; the calls made."""
        calls: list[Call] = self.call(self._send(updates))
        return calls

    async def _send(self, updates: list[dict[str, Any]]) -> list[Call]:
        start = len(self.fake.calls)
        queued = [self.fake.api.queue(update) for update in updates]
        await self.fake.wait_for(lambda: all(u["update_id"] in self.handled for u in queued), 20)
        calls = self.fake.calls[start:]
        for call in calls:
            if call.result and isinstance(call.result, dict) and "message_id" in call.result:
                chat = call.result.get("chat", {}).get("id")
                if chat is not None:
                    self.message_ids.setdefault(chat, []).append(call.result["message_id"])
        return calls


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotThread]:
    running_bot = BotThread(tmp_path_factory.mktemp("fuzz") / "fuzz.db")
    running_bot.start()
    yield running_bot
    running_bot.stop()


class ErrorLog(logging.Handler):
    """Everything logged at ERROR or above while it is attached."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def errors() -> Iterator[ErrorLog]:
    handler = ErrorLog()
    logging.getLogger().addHandler(handler)
    yield handler
    logging.getLogger().removeHandler(handler)


# Strategies ------------------------------------------------------------------------------

chat_ids = st.one_of(st.sampled_from(PRIVATE_CHATS), st.sampled_from(GROUP_CHATS))
words = st.one_of(
    st.sampled_from(NASTY),
    # Dense in what breaks replies: controls, format characters (bidi, zero-width),
    # odd spaces, symbols, CJK.
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zs", "Sm", "Lo"]), max_size=12),
    st.text(max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)
#: Commands that read what follows them: drawn more often.
TAKE_ARGUMENTS = ["timezone", "technique", "time", "pause", "start", "language", "tip"]
arguments = st.lists(words, max_size=3).map(" ".join)


def chat_of(chat_id: int) -> dict[str, Any]:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": "F"}
    kind = "group" if chat_id > -10_000 else "supergroup"
    return {"id": chat_id, "type": kind, "title": "T"}


def user_of(chat_id: int, language: str) -> dict[str, Any]:
    user_id = chat_id if chat_id > 0 else PRIVATE_CHATS[0]
    return {"id": user_id, "is_bot": False, "first_name": "F", "language_code": language}


languages = st.sampled_from(["en", "zh", "zh-hans", "de", "", "ZH_cn"])


@st.composite
def message_updates(draw: st.DrawFn) -> dict[str, Any]:
    chat_id = draw(chat_ids)
    command = draw(st.one_of(st.sampled_from(TAKE_ARGUMENTS), st.sampled_from(COMMANDS)))
    text = draw(
        st.one_of(
            arguments.map(lambda rest: f"/{command} {rest}"),
            st.just(f"/{command}"),
            words,
        )
    )
    message: dict[str, Any] = {
        "message_id": draw(st.integers(1, 10**6)),
        "date": int(time.time()),
        "chat": chat_of(chat_id),
        "from": user_of(chat_id, draw(languages)),
    }
    if draw(st.booleans()) or text:  # sometimes a message with no text at all
        message["text"] = text
    if text.startswith("/"):
        length = len(text.split(maxsplit=1)[0]) if text.split() else 1
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    kind = draw(st.sampled_from(["message"] * 5 + ["edited_message"]))
    if kind == "edited_message":
        message["edit_date"] = int(time.time())
    return {kind: message}


@st.composite
def press_updates(draw: st.DrawFn, bot: BotThread) -> dict[str, Any]:
    chat_id = draw(chat_ids)
    prefix = draw(st.sampled_from(PREFIXES))
    tail = draw(st.one_of(st.just(""), st.text(max_size=20), st.integers(-5, 99).map(str)))
    data = (prefix + tail).encode()[:64].decode("utf-8", "ignore")
    # A message of this chat or another the bot really sent, or any id at all. The draws
    # are the same whatever was sent before (Hypothesis replays them).
    owner, pick, use_known = draw(chat_ids), draw(st.integers(1, 10**6)), draw(st.booleans())
    known = bot.message_ids.get(owner, [])
    message_id = known[pick % len(known)] if known and use_known else pick
    query_id = f"fz{draw(st.integers(0, 10**12))}-{time.monotonic_ns()}"
    bot.fake.api.pending_callbacks.add(query_id)
    query: dict[str, Any] = {
        "id": query_id,
        "from": user_of(chat_id, draw(languages)),
        "chat_instance": str(chat_id),
    }
    if data or draw(st.booleans()):
        query["data"] = data
    if draw(st.integers(0, 9)):
        query["message"] = {"message_id": message_id, "date": 0, "chat": chat_of(chat_id)}
    else:
        query["inline_message_id"] = "inline-1"
    return {"callback_query": query}


@st.composite
def other_updates(draw: st.DrawFn, bot: BotThread) -> dict[str, Any]:
    chat_id = draw(chat_ids)
    kind = draw(st.sampled_from(["inline", "member", "channel", "empty", "no_from"]))
    if kind == "inline":
        # Telegram waits for the answer: the fake checks it as it checks a press's.
        query_id = f"iq{draw(st.integers(0, 10**9))}-{time.monotonic_ns()}"
        bot.fake.api.pending_inline.add(query_id)
        return {
            "inline_query": {
                "id": query_id,
                "from": user_of(PRIVATE_CHATS[0], draw(languages)),
                "query": draw(words),
                "offset": "",
            }
        }
    if kind == "member":
        status = draw(st.sampled_from(["member", "kicked", "left", "administrator"]))
        bot_user = {"id": 1, "is_bot": True, "first_name": "backcare-bot"}
        return {
            "my_chat_member": {
                "chat": chat_of(chat_id),
                "from": user_of(chat_id, "en"),
                "date": int(time.time()),
                "old_chat_member": {"status": "member", "user": bot_user},
                "new_chat_member": {"status": status, "user": bot_user}
                | ({"until_date": 0} if status == "kicked" else {})
                | (
                    {
                        "can_be_edited": False,
                        "can_manage_chat": True,
                        "can_delete_messages": False,
                        "can_manage_video_chats": False,
                        "can_restrict_members": False,
                        "can_promote_members": False,
                        "can_change_info": False,
                        "can_invite_users": False,
                        "is_anonymous": False,
                        "can_post_stories": False,
                        "can_edit_stories": False,
                        "can_delete_stories": False,
                    }
                    if status == "administrator"
                    else {}
                ),
            }
        }
    if kind == "channel":
        return {
            "channel_post": {
                "message_id": draw(st.integers(1, 10**6)),
                "date": int(time.time()),
                "chat": {"id": CHANNEL, "type": "channel", "title": "C"},
                "text": f"/{draw(st.sampled_from(COMMANDS))} {draw(words)}",
            }
        }
    if kind == "no_from":
        return {
            "message": {
                "message_id": 1,
                "date": int(time.time()),
                "chat": chat_of(chat_id),
                "text": "/help",
            }
        }
    return {}


def batches(bot: BotThread) -> st.SearchStrategy[list[dict[str, Any]]]:
    one = st.one_of(message_updates(), press_updates(bot), message_updates(), other_updates(bot))
    return st.lists(one, min_size=1, max_size=4)


# Properties --------------------------------------------------------------------------------


def _bad_characters(text: str) -> list[str]:
    return [
        f"U+{ord(c):04X}" for c in text if c != "\n" and unicodedata.category(c) in ("Cc", "Cf")
    ]


def check(calls: list[Call], presses: list[str], errors: ErrorLog) -> None:
    assert errors.records == [], [r.getMessage() for r in errors.records]
    refused = [c for c in calls if c.error and any(m in c.error for m in MALFORMED)]
    assert refused == [], refused
    answered = [c.params["callback_query_id"] for c in calls if c.method == "answerCallbackQuery"]
    assert sorted(answered) == sorted(presses), (answered, presses)
    for call in calls:
        for key in ("text", "caption"):
            value = call.params.get(key)
            if isinstance(value, str):
                assert _bad_characters(value) == [], (call.method, value)


def test_the_bot_survives_whatever_telegram_delivers(bot: BotThread, errors: ErrorLog) -> None:
    @given(data=st.data())
    def one_batch(data: st.DataObject) -> None:
        updates = data.draw(batches(bot))
        presses = [u["callback_query"]["id"] for u in updates if "callback_query" in u]
        calls = bot.send(updates)
        check(calls, presses, errors)
        assert bot.thread.is_alive() and bot.application is not None
        assert bot.application.running

    one_batch()
    store = Store(bot.path)
    try:
        assert store.db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        for table in chat_tables(store.db):
            count = store.db.execute(f'SELECT count(*) FROM "{table}" WHERE chat_id < 0')
            assert count.fetchone() == (0,), table
    finally:
        store.close()
