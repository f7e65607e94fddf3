"""An in-process Bot API: what `backcare-bot chat` talks to, and what tests serve over HTTP.

It implements the methods this bot calls, keeps the messages it was sent so buttons can be
pressed later, and checks what Telegram checks (HTML, lengths, callback data), so a content
mistake fails here the way it would fail in Telegram.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from content import markup

MAX_CALLBACK_DATA = 64
MAX_ANSWER_TEXT = 200


class BotApiError(Exception):
    """An error answer of the Bot API: an HTTP status and Telegram's description."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


@dataclass(frozen=True)
class Call:
    """One Bot API request the bot made, and what it was answered."""

    method: str
    params: dict[str, Any]
    result: Any = None
    error: str | None = None


@dataclass
class LocalBotApi:
    """The Bot API as one private chat per user sees it, in memory."""

    bot_id: int = 1
    bot_username: str = "backcare_local_bot"
    #: Called after every request the bot makes, e.g. to print it in the terminal.
    on_call: Callable[[Call], None] | None = None
    calls: list[Call] = field(default_factory=list)
    #: Chats that blocked the bot: sending to them fails with 403 as in Telegram.
    blocked: set[int] = field(default_factory=set)
    messages: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    pending_callbacks: set[str] = field(default_factory=set)
    commands: list[dict[str, Any]] = field(default_factory=list)
    _updates: list[dict[str, Any]] = field(default_factory=list)
    _update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _callback_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _changed: asyncio.Event | None = None

    # What a user does -------------------------------------------------------------------

    def user_message(
        self,
        chat_id: int,
        text: str,
        *,
        first_name: str = "You",
        language_code: str = "en",
        queue: bool = True,
    ) -> dict[str, Any]:
        """An update for a text message a user sends in their private chat with the bot.

        It is queued for getUpdates unless ``queue`` is False (the terminal chat hands its
        updates to the Application directly).
        """
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": first_name},
            "from": self._user(chat_id, first_name, language_code),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return self.queue({"message": message}) if queue else self._numbered({"message": message})

    def press(
        self,
        chat_id: int,
        message_id: int,
        data: str,
        *,
        first_name: str = "You",
        queue: bool = True,
    ) -> dict[str, Any]:
        """An update for a button press on a message the bot sent (any data, even forged).

        Queued for getUpdates unless ``queue`` is False, as for ``user_message``.
        """
        query_id = str(next(self._callback_ids))
        self.pending_callbacks.add(query_id)
        query: dict[str, Any] = {
            "id": query_id,
            "from": self._user(chat_id, first_name, "en"),
            "chat_instance": str(chat_id),
            "data": data,
        }
        # A message Telegram no longer gives the bot (deleted, or very old) arrives as an
        # "inaccessible message": only its chat and id, with date 0.
        query["message"] = self.messages.get((chat_id, message_id)) or {
            "chat": {"id": chat_id, "type": "private"},
            "message_id": message_id,
            "date": 0,
        }
        body = {"callback_query": query}
        return self.queue(body) if queue else self._numbered(body)

    def queue(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue any update (its update_id is added) for getUpdates."""
        update = self._numbered(update)
        self._updates.append(update)
        self._notify()
        return update

    def _numbered(self, update: dict[str, Any]) -> dict[str, Any]:
        return {"update_id": next(self._update_ids), **update}

    def _user(self, user_id: int, first_name: str, language_code: str) -> dict[str, Any]:
        return {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": language_code,
        }

    # What the bot asks ------------------------------------------------------------------

    async def handle(self, method: str, params: dict[str, Any]) -> Any:
        """Answer one Bot API request.

        Raises:
            BotApiError: where Telegram would answer with an error.
        """
        name = method.lower()
        try:
            if name == "getupdates":
                result = await self._get_updates(params)
            else:
                handler = _METHODS.get(name)
                if handler is None:
                    raise BotApiError(404, "Not Found")
                result = handler(self, params)
        except BotApiError as error:
            call = Call(method, params, error=error.description)
            self._record(call)
            raise
        if name != "getupdates":
            self._record(Call(method, params, result=result))
        return result

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        if self.on_call is not None:
            self.on_call(call)
        self._notify()

    def _notify(self) -> None:
        if self._changed is not None:
            self._changed.set()

    async def changed(self, timeout: float) -> None:
        """Wait until a request or an update arrives, or ``timeout`` seconds pass."""
        if self._changed is None:
            self._changed = asyncio.Event()
        self._changed.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), timeout)

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates:
            # Long polling, kept short: a fake need not hold a connection for long.
            await self.changed(min(float(params.get("timeout") or 0), 0.5))
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        return list(self._updates[: int(params.get("limit") or 100)])

    def _bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "backcare-bot",
            "username": self.bot_username,
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._bot_user()

    def _true(self, params: dict[str, Any]) -> bool:
        return True

    def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands") or []
        if not 1 <= len(commands) <= 100:
            raise BotApiError(400, "Bad Request: commands must be 1 to 100")
        for command in commands:
            if not (1 <= len(command["command"]) <= 32 and command["command"].islower()):
                raise BotApiError(400, "Bad Request: invalid command name")
            if not 1 <= len(command["description"]) <= 256:
                raise BotApiError(400, "Bad Request: invalid command description")
        self.commands = list(commands)
        return True

    def _get_my_commands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return list(self.commands)

    def _check_text(self, params: dict[str, Any]) -> str:
        text = str(params.get("text", ""))
        if params.get("parse_mode", "").upper() == "HTML":
            try:
                markup.check_message(text)
            except markup.MarkupError as error:
                raise BotApiError(400, f"Bad Request: can't parse entities: {error}") from None
        elif not 1 <= len(text) <= markup.MAX_MESSAGE_LENGTH:
            raise BotApiError(400, "Bad Request: message text is empty or too long")
        _check_keyboard(params.get("reply_markup"))
        return text

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        text = self._check_text(params)
        if chat_id in self.blocked:
            raise BotApiError(403, "Forbidden: bot was blocked by the user")
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "You"},
            "from": self._bot_user(),
            "text": text,
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        self.messages[(chat_id, message["message_id"])] = message
        return message

    def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (int(params["chat_id"]), int(params["message_id"]))
        text = self._check_text(params)
        message = self.messages.get(key)
        if message is None:
            raise BotApiError(400, "Bad Request: message to edit not found")
        if message["text"] == text and message.get("reply_markup") == params.get("reply_markup"):
            raise BotApiError(400, "Bad Request: message is not modified")
        message = {**message, "text": text, "edit_date": int(time.time())}
        message.pop("reply_markup", None)
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        self.messages[key] = message
        return message

    def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        query_id = str(params["callback_query_id"])
        if query_id not in self.pending_callbacks:
            raise BotApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        if len(str(params.get("text", ""))) > MAX_ANSWER_TEXT:
            raise BotApiError(400, "Bad Request: answer text is too long")
        self.pending_callbacks.discard(query_id)
        return True

    # Looking back -----------------------------------------------------------------------

    def sent(self, chat_id: int | None = None) -> list[Call]:
        """Messages the bot sent (sendMessage), optionally to one chat, oldest first."""
        return [
            c
            for c in self.calls
            if c.method == "sendMessage"
            and c.error is None
            and (chat_id is None or int(c.params["chat_id"]) == chat_id)
        ]


def _check_keyboard(reply_markup: Any) -> None:
    if not reply_markup:
        return
    for row in reply_markup.get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
                raise BotApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            if not button.get("text"):
                raise BotApiError(400, "Bad Request: button text is empty")


_METHODS: dict[str, Callable[[LocalBotApi, dict[str, Any]], Any]] = {
    "getme": LocalBotApi._get_me,
    "deletewebhook": LocalBotApi._true,
    "close": LocalBotApi._true,
    "logout": LocalBotApi._true,
    "setmycommands": LocalBotApi._set_my_commands,
    "getmycommands": LocalBotApi._get_my_commands,
    "deletemycommands": LocalBotApi._true,
    "sendmessage": LocalBotApi._send_message,
    "editmessagetext": LocalBotApi._edit_message_text,
    "answercallbackquery": LocalBotApi._answer_callback_query,
}
