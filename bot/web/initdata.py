"""Telegram Mini App launch data (``initData``): checking it, and signing it for tests and for
``backcare-bot chat``.

The page sends ``initData`` with every API call; only what passes ``check`` says who is
asking (telegram-facts.md, "Mini Apps"): the data-check-string is every field but ``hash``
as ``key=value``, sorted by key and joined by newlines; the secret is
HMAC-SHA256(key="WebAppData", message=token); the data is Telegram's when
hex(HMAC-SHA256(key=secret, message=data-check-string)) equals ``hash`` (compared in constant
time), and fresh when ``auth_date`` is at most ``MAX_AGE`` old by the injected clock.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode

__all__ = [
    "CLOCK_SKEW",
    "MAX_AGE",
    "MAX_LENGTH",
    "InitDataError",
    "LaunchData",
    "Refusal",
    "check",
    "sign",
    "validate",
]

#: Launch data older than this is refused (the user reopens the app for fresh data).
MAX_AGE = timedelta(hours=24)
#: How far ahead of our clock ``auth_date`` may be: Telegram's clock and ours differ a little.
CLOCK_SKEW = timedelta(minutes=1)
#: Longest launch data read, in characters (Telegram's is well under 1,000).
MAX_LENGTH = 4096
#: Most fields read (Telegram sends about six).
MAX_FIELDS = 24
#: Longest ``user`` JSON read, in characters.
MAX_USER_LENGTH = 1024
#: Telegram's user ids fit in 52 bits.
MAX_USER_ID = 2**52

_KEY = re.compile(r"[a-z][a-z0-9_]{0,31}")
_HASH = re.compile(r"[0-9a-f]{64}")
_DIGITS = re.compile(r"[0-9]{1,12}")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8}){0,3}")


class Refusal(enum.StrEnum):
    """Why launch data was refused (logged; never its content)."""

    MISSING = "missing"
    MALFORMED = "malformed"
    HASH = "hash"
    EXPIRED = "expired"
    FUTURE = "future"
    USER = "user"


class InitDataError(ValueError):
    """Launch data that does not prove who is asking."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(f"launch data refused: {refusal.value}")
        self.refusal = refusal


@dataclass(frozen=True)
class LaunchData:
    """What checked launch data says: who opened the app, when, and in what language."""

    #: The Telegram user: also the private chat's id, so the chat whose state the app shows.
    user_id: int
    #: When Telegram signed it.
    auth_date: datetime
    #: The user's Telegram app language (an IETF tag), if it sent one.
    language_code: str | None = None
    #: What the link that opened the app carried (``startapp``), if anything.
    start_param: str | None = None


def _secret(token: str) -> bytes:
    return hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()


def _signature(fields: Mapping[str, str], token: str) -> str:
    check_string = "\n".join(f"{key}={fields[key]}" for key in sorted(fields) if key != "hash")
    return hmac.new(_secret(token), check_string.encode(), hashlib.sha256).hexdigest()


def _fields(init_data: str) -> dict[str, str]:
    """The fields of a launch data query string; refused if it is not one, plainly."""
    if not init_data:
        raise InitDataError(Refusal.MISSING)
    # Telegram percent-encodes everything: raw non-ASCII (a lone surrogate from an
    # undecodable header, say) is not its data.
    if len(init_data) > MAX_LENGTH or not init_data.isascii():
        raise InitDataError(Refusal.MALFORMED)
    try:
        pairs = parse_qsl(
            init_data,
            keep_blank_values=True,
            strict_parsing=True,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FIELDS,
        )
    except ValueError:  # bad pairs, too many fields, or bytes that are not UTF-8
        raise InitDataError(Refusal.MALFORMED) from None
    fields: dict[str, str] = {}
    for key, value in pairs:
        # A key given twice could mean either value; a newline in a value could pass for
        # another field in the data-check-string. Telegram sends neither.
        if key in fields or not _KEY.fullmatch(key) or "\n" in value:
            raise InitDataError(Refusal.MALFORMED)
        fields[key] = value
    return fields


def check(init_data: str, token: str, now: datetime) -> LaunchData:
    """Check launch data the way telegram-facts.md says, and read who sent it.

    Args:
        init_data: ``Telegram.WebApp.initData`` as the page sent it (a query string).
        token: the bot's token (only Telegram and the bot know it).
        now: the current instant, timezone-aware.

    Returns:
        What the data says.

    Raises:
        InitDataError: the data is missing, malformed, not signed for this bot's token,
            older than ``MAX_AGE`` or from the future, or names no user.
    """
    fields = _fields(init_data)
    given = fields.get("hash", "")
    if not _HASH.fullmatch(given):
        raise InitDataError(Refusal.MALFORMED if given else Refusal.MISSING)
    if not hmac.compare_digest(_signature(fields, token).encode(), given.encode()):
        raise InitDataError(Refusal.HASH)
    # Signed by Telegram from here on; still read as carefully as anything else.
    stamp = fields.get("auth_date", "")
    if not _DIGITS.fullmatch(stamp):
        raise InitDataError(Refusal.MALFORMED if stamp else Refusal.MISSING)
    signed = datetime.fromtimestamp(int(stamp), UTC)
    if signed - now > CLOCK_SKEW:
        raise InitDataError(Refusal.FUTURE)
    if now - signed > MAX_AGE:
        raise InitDataError(Refusal.EXPIRED)
    user = _user(fields.get("user"))
    language = user.get("language_code")
    if not (isinstance(language, str) and _LANGUAGE.fullmatch(language)):
        language = None
    start_param = fields.get("start_param")
    return LaunchData(
        user_id=user["id"],
        auth_date=signed,
        language_code=language,
        start_param=start_param or None,
    )


def validate(init_data: str | None, token: str, now: datetime) -> LaunchData | None:
    """``check``, with None for data that does not pass (for callers that need no reason)."""
    try:
        return check(init_data or "", token, now)
    except InitDataError:
        return None


def _user(raw: str | None) -> dict[str, Any]:
    """The ``user`` field's JSON object, its ``id`` a positive integer."""
    if raw is None:
        raise InitDataError(Refusal.USER)
    if len(raw) > MAX_USER_LENGTH:
        raise InitDataError(Refusal.USER)
    try:
        user = json.loads(raw)
    except (ValueError, RecursionError):
        raise InitDataError(Refusal.USER) from None
    if not isinstance(user, dict):
        raise InitDataError(Refusal.USER)
    user_id = user.get("id")
    # bool is an int to Python, never to Telegram.
    if type(user_id) is not int or not 0 < user_id < MAX_USER_ID:
        raise InitDataError(Refusal.USER)
    return user


def sign(
    token: str,
    *,
    user_id: int,
    auth_date: datetime,
    language_code: str | None = "en",
    first_name: str = "Test",
    extra: Mapping[str, str] | None = None,
) -> str:
    """Launch data for ``user_id`` signed with ``token`` as Telegram signs it: for the tests,
    and for the address ``backcare-bot chat`` prints (its token is its own).

    Args:
        token: the bot's token.
        user_id: the user (and private chat) the data is for.
        auth_date: when it was "signed"; whole seconds are kept.
        language_code: the user's app language, or None to leave it out.
        first_name: the user's first name.
        extra: more fields (``query_id``, ``start_param``, ...), signed too.

    Returns:
        The query string, as ``Telegram.WebApp.initData`` holds it.
    """
    user: dict[str, Any] = {"id": user_id, "first_name": first_name}
    if language_code is not None:
        user["language_code"] = language_code
    fields = {
        "auth_date": str(int(auth_date.timestamp())),
        "user": json.dumps(user, separators=(",", ":"), ensure_ascii=False),
        **(extra or {}),
    }
    fields["hash"] = _signature(fields, token)
    return urlencode(fields)
