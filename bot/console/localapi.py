"""An in-process Bot API: what `backcare-bot chat` talks to, and what tests serve over HTTP.

It implements the methods this bot calls, keeps the messages it was sent so buttons can be
pressed later, and checks what Telegram checks (HTML, lengths, callback data), so a content
mistake fails here the way it would fail in Telegram.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import itertools
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from content import markup

MAX_CALLBACK_DATA = 64
MAX_ANSWER_TEXT = 200
#: Prefix of an InputMedia "media" that names an extra multipart part instead of a file_id.
ATTACH = "attach://"


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


@dataclass(frozen=True)
class Upload:
    """A file the bot uploaded as a multipart part."""

    filename: str
    content: bytes
    mimetype: str


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
    #: Inline queries not answered yet, and the answers given, by query id.
    pending_inline: set[str] = field(default_factory=set)
    inline_answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Whether inline mode is on for the bot (BotFather, /setinline); getMe says so.
    inline_mode: bool = True
    #: The command menu per language code ("" for users of any other language).
    menus: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: Uploaded files by the file_id this API gave them, so the bot can send them again.
    files: dict[str, bytes] = field(default_factory=dict)
    #: The bot's descriptions: {(kind, language code or ""): text}, kind "description" or
    #: "short_description", as setMyDescription and setMyShortDescription left them.
    profile: dict[tuple[str, str], str] = field(default_factory=dict)
    #: The menu button every chat shows (setChatMenuButton without a chat).
    menu_button: dict[str, Any] = field(default_factory=lambda: {"type": "default"})
    #: The last setWebhook: url, secret_token and allowed_updates ({} when never set).
    webhook: dict[str, Any] = field(default_factory=dict)
    _updates: list[dict[str, Any]] = field(default_factory=list)
    _update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _callback_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _file_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    #: This instance's mark in every file_id it gives: an id from another instance (a file id
    #: a database kept from an earlier chat) is refused as Telegram refuses one from another
    #: bot, never taken for a different file this instance happened to number the same.
    _run: str = field(default_factory=lambda: secrets.token_hex(4))
    _changed: asyncio.Event | None = None

    # What a user does -------------------------------------------------------------------

    def user_message(
        self,
        chat_id: int,
        text: str,
        *,
        first_name: str = "You",
        language_code: str = "en",
        reply_to: int | None = None,
        queue: bool = True,
    ) -> dict[str, Any]:
        """An update for a text message a user sends in their private chat with the bot.

        It is queued for getUpdates unless ``queue`` is False (the terminal chat hands its
        updates to the Application directly). ``reply_to`` makes it a reply to that message
        of the chat.
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
        if reply_to is not None and (chat_id, reply_to) in self.messages:
            message["reply_to_message"] = self.messages[(chat_id, reply_to)]
        # Kept, like the bot's own, so the bot can copy it (an operator's broadcast).
        self.messages[(chat_id, message["message_id"])] = message
        return self.queue({"message": message}) if queue else self._numbered({"message": message})

    def press(
        self,
        chat_id: int,
        message_id: int,
        data: str,
        *,
        first_name: str = "You",
        language_code: str = "en",
        queue: bool = True,
    ) -> dict[str, Any]:
        """An update for a button press on a message the bot sent (any data, even forged).

        Queued for getUpdates unless ``queue`` is False, as for ``user_message``.
        """
        query_id = str(next(self._callback_ids))
        self.pending_callbacks.add(query_id)
        query: dict[str, Any] = {
            "id": query_id,
            "from": self._user(chat_id, first_name, language_code),
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

    def user_location(
        self,
        chat_id: int,
        latitude: float,
        longitude: float,
        *,
        language_code: str = "en",
        queue: bool = True,
    ) -> dict[str, Any]:
        """An update for a location the user shares in their private chat with the bot."""
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "You"},
            "from": self._user(chat_id, "You", language_code),
            "location": {"latitude": latitude, "longitude": longitude},
        }
        body = {"message": message}
        return self.queue(body) if queue else self._numbered(body)

    def inline_query(
        self,
        user_id: int,
        query: str,
        *,
        first_name: str = "You",
        language_code: str = "en",
        queue: bool = True,
    ) -> dict[str, Any]:
        """An update for ``@bot <query>`` typed in any chat (the bot sees no chat)."""
        query_id = f"iq{next(self._callback_ids)}"
        self.pending_inline.add(query_id)
        body = {
            "inline_query": {
                "id": query_id,
                "from": self._user(user_id, first_name, language_code),
                "query": query,
                "offset": "",
                "chat_type": "sender",
            }
        }
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
        # Wake everyone waiting now; whoever waits next waits on a new event. (One event
        # cleared by each new waiter lost wake-ups: a waiter that had not started waiting
        # yet saw a set event cleared under it and slept out its timeout.)
        if self._changed is not None:
            self._changed.set()
            self._changed = None

    def notify(self) -> None:
        """Wake whoever waits in ``changed`` (a test that saw an update handled, say)."""
        self._notify()

    async def changed(self, timeout: float) -> None:
        """Wait until a request or an update arrives, or ``timeout`` seconds pass."""
        if self._changed is None:
            self._changed = asyncio.Event()
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
            "supports_inline_queries": self.inline_mode,
        }

    def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._bot_user()

    def _true(self, params: dict[str, Any]) -> bool:
        return True

    def _set_webhook(self, params: dict[str, Any]) -> bool:
        url = str(params.get("url") or "")
        if url and not url.startswith("https://"):
            raise BotApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided")
        secret = params.get("secret_token")
        allowed = params.get("allowed_updates")
        if isinstance(allowed, str):
            allowed = json.loads(allowed)
        self.webhook = {
            "url": url,
            "secret_token": None if secret is None else str(secret),
            "allowed_updates": allowed,
        }
        return True

    def _get_chat_menu_button(self, params: dict[str, Any]) -> dict[str, Any]:
        return dict(self.menu_button)

    def _set_chat_menu_button(self, params: dict[str, Any]) -> bool:
        """The menu button, checked as Telegram does: a known type; a Mini App's with a text
        and an HTTPS address; a chat's only for a private chat (this fake keeps one button
        for every chat)."""
        if params.get("chat_id") is not None and not _private(params["chat_id"]):
            raise BotApiError(400, "Bad Request: chat not found")
        button = params.get("menu_button") or {"type": "default"}
        kind = button.get("type") if isinstance(button, dict) else None
        if kind not in ("default", "commands", "web_app"):
            raise BotApiError(400, "Bad Request: unsupported menu button type")
        if kind == "web_app":
            if not str(button.get("text") or "").strip():
                raise BotApiError(400, "Bad Request: menu button text is empty")
            _check_web_app(button.get("web_app"))
        self.menu_button = dict(button)
        return True

    def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {"url": self.webhook.get("url", ""), "has_custom_certificate": False}
        info["pending_update_count"] = len(self._updates)
        if self.webhook.get("allowed_updates") is not None:
            info["allowed_updates"] = self.webhook["allowed_updates"]
        return info

    def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands") or []
        if not 1 <= len(commands) <= 100:
            raise BotApiError(400, "Bad Request: commands must be 1 to 100")
        for command in commands:
            if not (1 <= len(command["command"]) <= 32 and command["command"].islower()):
                raise BotApiError(400, "Bad Request: invalid command name")
            if not 1 <= len(command["description"]) <= 256:
                raise BotApiError(400, "Bad Request: invalid command description")
        self.menus[_language(params)] = list(commands)
        return True

    def _get_my_commands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return list(self.menus.get(_language(params), []))

    def _set_profile(self, kind: str, limit: int, params: dict[str, Any]) -> bool:
        text = str(params.get(kind) or "")
        if len(text) > limit:
            raise BotApiError(400, f"Bad Request: {kind} is too long")
        self.profile[kind, _language(params)] = text
        return True

    def _set_my_description(self, params: dict[str, Any]) -> bool:
        return self._set_profile("description", 512, params)

    def _set_my_short_description(self, params: dict[str, Any]) -> bool:
        return self._set_profile("short_description", 120, params)

    def _get_my_description(self, params: dict[str, Any]) -> dict[str, str]:
        return {"description": self.profile.get(("description", _language(params)), "")}

    def _get_my_short_description(self, params: dict[str, Any]) -> dict[str, str]:
        key = ("short_description", _language(params))
        return {"short_description": self.profile.get(key, "")}

    @property
    def commands(self) -> list[dict[str, Any]]:
        """The default command menu."""
        return self.menus.get("", [])

    def menu_for(self, language_code: str) -> list[dict[str, Any]]:
        """The menu a user whose app reports ``language_code`` sees (e.g. "zh-hans" sees
        the "zh" menu if there is one, else the default)."""
        base = language_code.lower().split("-")[0]
        return self.menus.get(base) or self.commands

    def _check_text(self, params: dict[str, Any]) -> str:
        text = str(params.get("text", ""))
        if params.get("parse_mode", "").upper() == "HTML":
            try:
                markup.check_message(text)
            except markup.MarkupError as error:
                raise BotApiError(400, f"Bad Request: can't parse entities: {error}") from None
        elif not 1 <= len(text) <= markup.MAX_MESSAGE_LENGTH:
            raise BotApiError(400, "Bad Request: message text is empty or too long")
        _check_keyboard(params.get("reply_markup"), params.get("chat_id"))
        return text

    def _check_caption(self, params: dict[str, Any]) -> str | None:
        """The caption in ``params`` (of a request or an InputMedia), checked like text."""
        caption = params.get("caption")
        if caption is None:
            return None
        caption = str(caption)
        if str(params.get("parse_mode", "")).upper() == "HTML":
            try:
                markup.check_caption(caption)
            except markup.MarkupError as error:
                raise BotApiError(400, f"Bad Request: can't parse entities: {error}") from None
        elif len(caption) > markup.MAX_CAPTION_LENGTH:
            raise BotApiError(400, "Bad Request: message caption is too long")
        return caption

    def _photo_sizes(self, photo: Any) -> list[dict[str, Any]]:
        """The PhotoSize list for an uploaded photo or a file_id (see ``_keep``)."""
        if isinstance(photo, Upload):
            content, file_id = photo.content, None
        elif isinstance(photo, str) and photo in self.files:
            content, file_id = self.files[photo], photo
        else:
            raise BotApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        try:
            with Image.open(io.BytesIO(content)) as image:
                image.load()  # a header alone is not a picture: decode it all, as Telegram does
                width, height = image.size
        except (OSError, ValueError, Image.DecompressionBombError):
            raise BotApiError(400, "Bad Request: IMAGE_PROCESS_FAILED") from None
        if file_id is None:
            file_id = f"photo-{self._run}-{next(self._file_ids)}"
        size = {
            "file_id": file_id,
            # Telegram's unique id stays the same for the same file, whoever uploads it.
            "file_unique_id": hashlib.sha256(content).hexdigest()[:16],
            "width": width,
            "height": height,
            "file_size": len(content),
        }
        return [size]

    def _keep(self, photo: Any, sizes: list[dict[str, Any]]) -> None:
        """Store an uploaded photo under its file_id once the request has succeeded."""
        if isinstance(photo, Upload):
            self.files[sizes[0]["file_id"]] = photo.content

    def _new_message(self, chat_id: int, params: dict[str, Any]) -> dict[str, Any]:
        """A message from the bot to ``chat_id``, kept so it can be edited or pressed later."""
        if chat_id in self.blocked:
            raise BotApiError(403, "Forbidden: bot was blocked by the user")
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "You"},
            "from": self._bot_user(),
        }
        if (params.get("reply_markup") or {}).get("inline_keyboard"):
            # Only inline keyboards belong to the message; a keyboard in place of the
            # user's (or its removal) is not part of it, as in Telegram.
            message["reply_markup"] = params["reply_markup"]
        self.messages[(chat_id, message["message_id"])] = message
        return message

    def _to_edit(self, params: dict[str, Any]) -> tuple[tuple[int, int], dict[str, Any]]:
        key = (int(params["chat_id"]), int(params["message_id"]))
        message = self.messages.get(key)
        if message is None:
            raise BotApiError(400, "Bad Request: message to edit not found")
        if not message.get("from", {}).get("is_bot"):
            raise BotApiError(400, "Bad Request: message can't be edited")
        return key, message

    def _edited(
        self, key: tuple[int, int], message: dict[str, Any], params: dict[str, Any]
    ) -> dict[str, Any]:
        """Store ``message`` as edited, with the keyboard the edit request carries (or none)."""
        message = {**message, "edit_date": int(time.time())}
        message.pop("reply_markup", None)
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        self.messages[key] = message
        return message

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        text = self._check_text(params)
        message = self._new_message(chat_id, params)
        message["text"] = text
        return message

    def _send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        caption = self._check_caption(params)
        _check_keyboard(params.get("reply_markup"), params.get("chat_id"))
        photo = self._photo_sizes(params.get("photo"))
        message = self._new_message(chat_id, params)
        message["photo"] = photo
        self._keep(params.get("photo"), photo)
        if caption is not None:
            message["caption"] = caption
        return message

    def _send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        """A file sent as a document: kept under a new file_id, its name and type as sent."""
        chat_id = int(params["chat_id"])
        caption = self._check_caption(params)
        _check_keyboard(params.get("reply_markup"), params.get("chat_id"))
        document = params.get("document")
        if not isinstance(document, Upload) or not document.content:
            raise BotApiError(400, "Bad Request: file must be non-empty")
        if len(document.content) > 50 * 2**20:
            raise BotApiError(400, "Bad Request: file is too big")
        message = self._new_message(chat_id, params)
        file_id = f"document-{self._run}-{next(self._file_ids)}"
        self.files[file_id] = document.content
        message["document"] = {
            "file_id": file_id,
            "file_unique_id": hashlib.sha256(document.content).hexdigest()[:16],
            "file_name": document.filename,
            "mime_type": document.mimetype,
            "file_size": len(document.content),
        }
        if caption is not None:
            message["caption"] = caption
        return message

    def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        text = self._check_text(params)
        key, message = self._to_edit(params)
        if "text" not in message:
            raise BotApiError(400, "Bad Request: there is no text in the message to edit")
        if message["text"] == text and message.get("reply_markup") == params.get("reply_markup"):
            raise BotApiError(400, "Bad Request: message is not modified")
        return self._edited(key, {**message, "text": text}, params)

    def _edit_message_media(self, params: dict[str, Any]) -> dict[str, Any]:
        media = params.get("media")
        if isinstance(media, str):
            with contextlib.suppress(ValueError):
                media = json.loads(media)
        if not isinstance(media, dict) or not media.get("media"):
            raise BotApiError(400, "Bad Request: can't parse InputMedia: Media is not specified")
        if media.get("type") != "photo":
            raise BotApiError(400, "Bad Request: unsupported media type")
        caption = self._check_caption(media)
        _check_keyboard(params.get("reply_markup"), params.get("chat_id"))
        source = str(media["media"])
        # The new file is an extra multipart part, named by the media's attach:// URI.
        new = params.get(source.removeprefix(ATTACH)) if source.startswith(ATTACH) else source
        photo = self._photo_sizes(new)
        key, message = self._to_edit(params)
        if "photo" not in message:
            raise BotApiError(400, "Bad Request: there is no media in the message to edit")
        if (
            message["photo"] == photo
            and message.get("caption") == caption
            and message.get("reply_markup") == params.get("reply_markup")
        ):
            raise BotApiError(400, "Bad Request: message is not modified")
        message = {**message, "photo": photo}
        message.pop("caption", None)
        if caption is not None:
            message["caption"] = caption
        self._keep(new, photo)
        return self._edited(key, message, params)

    def _edit_message_caption(self, params: dict[str, Any]) -> dict[str, Any]:
        caption = self._check_caption(params)
        _check_keyboard(params.get("reply_markup"), params.get("chat_id"))
        key, message = self._to_edit(params)
        if "photo" not in message:
            raise BotApiError(400, "Bad Request: there is no caption in the message to edit")
        if message.get("caption") == caption and message.get("reply_markup") == params.get(
            "reply_markup"
        ):
            raise BotApiError(400, "Bad Request: message is not modified")
        message = {**message}
        message.pop("caption", None)
        if caption is not None:
            message["caption"] = caption
        return self._edited(key, message, params)

    def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        _check_keyboard(params.get("reply_markup"), params.get("chat_id"))
        key, message = self._to_edit(params)
        if message.get("reply_markup") == params.get("reply_markup"):
            raise BotApiError(400, "Bad Request: message is not modified")
        return self._edited(key, {**message}, params)

    def _answer_inline_query(self, params: dict[str, Any]) -> bool:
        """Check an answer as Telegram would: a query answered once, at most 50 results
        with unique ids of 1-64 bytes, each message within its limits and valid HTML."""
        query_id = str(params.get("inline_query_id", ""))
        if query_id not in self.pending_inline:
            raise BotApiError(400, "Bad Request: query is too old and response timeout expired")
        results = params.get("results") or []
        if len(results) > 50:
            raise BotApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        ids = [str(result.get("id", "")) for result in results]
        if len(set(ids)) != len(ids) or not all(1 <= len(i.encode()) <= 64 for i in ids):
            raise BotApiError(400, "Bad Request: RESULT_ID_INVALID")
        for result in results:
            if result.get("type") == "article":
                message = result.get("input_message_content") or {}
                if not result.get("title"):
                    raise BotApiError(400, "Bad Request: RESULT_TITLE_EMPTY")
                self._check_text({"text": message.get("message_text", ""), **message})
            elif result.get("type") == "photo":
                if str(result.get("photo_file_id")) not in self.files:
                    raise BotApiError(400, "Bad Request: wrong file identifier")
                self._check_caption(result)
            else:
                raise BotApiError(400, f"Bad Request: result type {result.get('type')} here")
            _check_keyboard(result.get("reply_markup"), INLINE)
        self.pending_inline.discard(query_id)
        self.inline_answers[query_id] = params
        return True

    def _copy_message(self, params: dict[str, Any]) -> dict[str, int]:
        """Copy a message the bot can see (one it sent or a user's) to another chat."""
        source = self.messages.get((int(params["from_chat_id"]), int(params["message_id"])))
        if source is None:
            raise BotApiError(400, "Bad Request: message to copy not found")
        _check_keyboard(params.get("reply_markup"), params.get("chat_id"))
        copy = self._new_message(int(params["chat_id"]), params)
        copy.update({k: source[k] for k in ("text", "caption", "photo") if k in source})
        return {"message_id": copy["message_id"]}

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

    def photos(self, chat_id: int | None = None) -> list[Call]:
        """Photos the bot sent (sendPhoto), optionally to one chat, oldest first."""
        return [
            c
            for c in self.calls
            if c.method == "sendPhoto"
            and c.error is None
            and (chat_id is None or int(c.params["chat_id"]) == chat_id)
        ]


def _language(params: dict[str, Any]) -> str:
    """The two-letter ``language_code`` of a request, or "" for everyone else."""
    language = str(params.get("language_code") or "")
    if language and not (len(language) == 2 and language.isalpha()):
        raise BotApiError(400, "Bad Request: invalid language code specified")
    return language


#: The "chat" of an inline query's result: a message in any chat, via the bot.
INLINE = "inline"


def _private(chat_id: Any) -> bool:
    """Whether ``chat_id`` names a private chat: a user's id, which is positive (groups'
    and channels' are negative, and a channel may be named by its @username)."""
    try:
        return int(chat_id) > 0
    except (TypeError, ValueError):
        return False


def _check_web_app(web_app: Any) -> None:
    """A Mini App's address, as Telegram checks it: HTTPS only."""
    url = str((web_app or {}).get("url") or "") if isinstance(web_app, dict) else ""
    if not url.startswith("https://") or len(url) <= len("https://"):
        raise BotApiError(
            400, f"Bad Request: Web App URL {url!r} is invalid: Only HTTPS links are allowed"
        )


def _check_keyboard(reply_markup: Any, chat_id: Any = None) -> None:
    """A keyboard as Telegram checks it, for a message to ``chat_id`` (``INLINE``: an
    inline query's result)."""
    if not reply_markup:
        return
    for row in reply_markup.get("keyboard", []):  # a keyboard in place of the user's
        for button in row:
            text = button.get("text") if isinstance(button, dict) else button
            if not text:
                raise BotApiError(400, "Bad Request: keyboard button text is empty")
    for row in reply_markup.get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
                raise BotApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            if not button.get("text"):
                raise BotApiError(400, "Bad Request: button text is empty")
            actions = [key for key in _BUTTON_ACTIONS if button.get(key) is not None]
            if len(actions) != 1:
                raise BotApiError(400, "Bad Request: a button must have exactly one action")
            if button.get("web_app") is not None:
                # Mini App buttons are for the user's private chat with the bot only.
                if chat_id is not None and not _private(chat_id):
                    raise BotApiError(400, "Bad Request: BUTTON_TYPE_INVALID")
                _check_web_app(button["web_app"])
            chosen = button.get("switch_inline_query_chosen_chat")
            if chosen is not None and not any(
                chosen.get(kind)
                for kind in (
                    "allow_user_chats",
                    "allow_bot_chats",
                    "allow_group_chats",
                    "allow_channel_chats",
                )
            ):
                raise BotApiError(400, "Bad Request: no chat type allowed for the chat picker")


#: What an inline button may do (one each).
_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "web_app",
    "login_url",
    "copy_text",
    "pay",
    "callback_game",
)


_METHODS: dict[str, Callable[[LocalBotApi, dict[str, Any]], Any]] = {
    "getme": LocalBotApi._get_me,
    "deletewebhook": LocalBotApi._true,
    "setwebhook": LocalBotApi._set_webhook,
    "getwebhookinfo": LocalBotApi._get_webhook_info,
    "getchatmenubutton": LocalBotApi._get_chat_menu_button,
    "setchatmenubutton": LocalBotApi._set_chat_menu_button,
    "close": LocalBotApi._true,
    "logout": LocalBotApi._true,
    "setmycommands": LocalBotApi._set_my_commands,
    "getmycommands": LocalBotApi._get_my_commands,
    "deletemycommands": LocalBotApi._true,
    "setmydescription": LocalBotApi._set_my_description,
    "getmydescription": LocalBotApi._get_my_description,
    "setmyshortdescription": LocalBotApi._set_my_short_description,
    "getmyshortdescription": LocalBotApi._get_my_short_description,
    "sendmessage": LocalBotApi._send_message,
    "editmessagetext": LocalBotApi._edit_message_text,
    "sendphoto": LocalBotApi._send_photo,
    "senddocument": LocalBotApi._send_document,
    "editmessagemedia": LocalBotApi._edit_message_media,
    "editmessagecaption": LocalBotApi._edit_message_caption,
    "answercallbackquery": LocalBotApi._answer_callback_query,
    "editmessagereplymarkup": LocalBotApi._edit_message_reply_markup,
    "copymessage": LocalBotApi._copy_message,
    "answerinlinequery": LocalBotApi._answer_inline_query,
}
