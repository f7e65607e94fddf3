"""What the Bot API's error messages mean, read in one place.

Telegram says why it refused a request only in the message of a 400 ("Bad Request: ...");
every part of the bot that must tell one refusal from another asks here.
"""

from __future__ import annotations

from telegram.error import BadRequest, Forbidden, TelegramError

#: A refused file id: from another bot token, or one Telegram no longer knows.
_FILE_ID_REFUSED = (
    "wrong file identifier",
    "wrong remote file identifier",
    "wrong file_id",
    "file reference expired",
    "wrong type of the web page content",
)


def _says(error: TelegramError, *phrases: str) -> bool:
    text = error.message.lower()
    return any(phrase in text for phrase in phrases)


def not_modified(error: TelegramError) -> bool:
    """An edit to what the message already shows (a double tap): nothing to do."""
    return isinstance(error, BadRequest) and _says(error, "message is not modified")


def chat_gone(error: TelegramError) -> bool:
    """The user blocked the bot, left or deleted the chat, or it never existed: stop sending."""
    return isinstance(error, Forbidden) or (
        isinstance(error, BadRequest) and _says(error, "chat not found")
    )


def file_id_refused(error: TelegramError) -> bool:
    """A stored file id Telegram will not take: upload the file again."""
    return isinstance(error, BadRequest) and _says(error, *_FILE_ID_REFUSED)


def query_expired(error: TelegramError) -> bool:
    """An inline query or button press answered too late (Telegram waits about 10 s), or
    one Telegram never sent: nobody is waiting for the answer any more."""
    return isinstance(error, BadRequest) and _says(error, "query is too old", "query id is invalid")
