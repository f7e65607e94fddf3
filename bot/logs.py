"""Logging set-up: one line per event, as text or JSON, with secrets and user data kept out."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from telegram import TelegramObject, Update

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REDACTED = "[REDACTED]"
FORMATS = ("text", "json")
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class RedactingFormatter(logging.Formatter):
    """Formats records on one line, then blanks out secrets (PTB and httpx put the token in
    URLs) and leaves out message payloads (PTB logs whole updates and requests at DEBUG)."""

    def __init__(self, secrets: Iterable[str], fmt: str = FORMAT) -> None:
        super().__init__(fmt)
        self.secrets: list[str] = []
        for secret in secrets:
            self.add_secret(secret)

    def add_secret(self, secret: str) -> None:
        """Redact ``secret`` too (as written and as percent-encoded in a URL)."""
        for form in (secret, quote(secret, safe="")):
            if form and form not in self.secrets:
                self.secrets.append(form)
        # The longest first, so no shorter secret leaves half of a longer one behind.
        self.secrets.sort(key=len, reverse=True)

    def redact(self, text: str) -> str:
        """``text`` with every secret replaced."""
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def format(self, record: logging.LogRecord) -> str:
        """Format the record, tracebacks included, on one line with every secret replaced."""
        text = super().format(_without_payloads(record))
        return self.redact(text).replace("\n", "\\n")


class JsonFormatter(RedactingFormatter):
    """One JSON object per line: time (UTC), level, logger, message and any exception."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__(secrets)

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON, redacted field by field and as a whole."""
        record = _without_payloads(record)
        entry: dict[str, str] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": self.redact(record.getMessage()),
        }
        if record.exc_info:
            entry["exception"] = self.redact(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = self.redact(self.formatStack(record.stack_info))
        # JSON escapes nothing a token or a secret token is made of, so this finds them too.
        return self.redact(json.dumps(entry, ensure_ascii=False))


def configure(level: str | int, secrets: Iterable[str] = (), fmt: str = "text") -> None:
    """Log to standard error at ``level`` in ``fmt`` ("text" or "json"), redacting
    ``secrets``; httpx only from WARNING."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown log format {fmt!r}")
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter(secrets) if fmt == "json" else RedactingFormatter(secrets))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    # httpx logs every request's URL at INFO, and the token is in it.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def add_secret(secret: str) -> None:
    """Redact ``secret`` in every handler ``configure`` installed (for secrets made later)."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler.formatter, RedactingFormatter):
            handler.formatter.add_secret(secret)


def _without_payloads(record: logging.LogRecord) -> logging.LogRecord:
    """A copy of ``record`` whose arguments carry no message payload.

    At DEBUG, PTB logs every update it processes and every request's parameters and
    result: what users typed, and replies that quote it. Such arguments (updates, Telegram
    objects, dicts, lists of them) are logged as their shape only, e.g. ``update 7`` or
    ``{chat_id: 42, text: …}``.
    """
    args: Any = record.args
    if isinstance(args, Mapping):
        # One dict argument: logging keeps it as the mapping for "%(name)s" formats; with
        # a plain "%s" the whole dict is printed.
        named = isinstance(record.msg, str) and "%(" in record.msg
        args = {key: _shape(value) for key, value in args.items()} if named else _shape(args)
    elif isinstance(args, tuple):
        args = tuple(_shape(value) for value in args)
    msg = record.msg if isinstance(record.msg, str) else _shape(record.msg)
    if args is record.args and msg is record.msg:
        return record
    copy = logging.makeLogRecord(record.__dict__)
    copy.args, copy.msg = args, msg
    return copy


def _shape(value: Any) -> Any:
    """``value``, unless it may carry what a user typed: then a summary without it."""
    if isinstance(value, Update):
        return f"update {value.update_id}"
    if isinstance(value, TelegramObject):
        return type(value).__name__
    if isinstance(value, Mapping):
        shown = (f"{key}: {item}" if _scalar(item) else f"{key}: …" for key, item in value.items())
        return "{" + ", ".join(shown) + "}"
    if isinstance(value, list | tuple | set | frozenset) and not all(map(_scalar, value)):
        return f"[{len(value)} items]"
    return value


def _scalar(value: Any) -> bool:
    """Numbers, flags and None: ids and counts, never text."""
    return value is None or isinstance(value, int | float)
