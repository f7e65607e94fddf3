"""The subset of HTML that Telegram renders, checked the way the Bot API parses it."""

from __future__ import annotations

import html
import re

#: Tags Telegram accepts in HTML parse mode, with the attributes each may carry.
ALLOWED_TAGS: dict[str, frozenset[str]] = {
    "b": frozenset(),
    "strong": frozenset(),
    "i": frozenset(),
    "em": frozenset(),
    "u": frozenset(),
    "ins": frozenset(),
    "s": frozenset(),
    "strike": frozenset(),
    "del": frozenset(),
    "span": frozenset({"class"}),
    "tg-spoiler": frozenset(),
    "a": frozenset({"href"}),
    "tg-emoji": frozenset({"emoji-id"}),
    "code": frozenset({"class"}),
    "pre": frozenset(),
    "blockquote": frozenset({"expandable"}),
}

#: Longest message text Telegram accepts, counted after entities are parsed.
MAX_MESSAGE_LENGTH = 4096
#: Longest photo caption Telegram accepts, counted the same way.
MAX_CAPTION_LENGTH = 1024

_TOKEN = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:=\"[^\"<>]*\")?)*)\s*>|[<>&]")
_ATTRIBUTE = re.compile(r"([a-zA-Z-]+)(?:=\"([^\"<>]*)\")?")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")


class MarkupError(ValueError):
    """Text that Telegram would refuse to parse as HTML."""


def check(text: str) -> None:
    """Raise MarkupError if Telegram's HTML parser would reject ``text``.

    Args:
        text: message text in Telegram's HTML parse mode.
    """
    open_tags: list[str] = []
    position = 0
    while match := _TOKEN.search(text, position):
        token = match.group(0)
        if token == "&":
            if not _ENTITY.match(text, match.start()):
                raise MarkupError(f"bare '&' at offset {match.start()}; write &amp;")
        elif token in "<>":
            raise MarkupError(f"bare {token!r} at offset {match.start()}; write &lt; or &gt;")
        else:
            closing, name, attributes = match.group(1), match.group(2).lower(), match.group(3)
            if name not in ALLOWED_TAGS:
                raise MarkupError(f"unsupported tag <{name}> at offset {match.start()}")
            if closing:
                if not open_tags or open_tags[-1] != name:
                    raise MarkupError(f"unexpected </{name}> at offset {match.start()}")
                open_tags.pop()
            else:
                for attribute, _value in _ATTRIBUTE.findall(attributes):
                    if attribute.lower() not in ALLOWED_TAGS[name]:
                        raise MarkupError(f"unsupported attribute {attribute!r} on <{name}>")
                open_tags.append(name)
        position = match.end()
    if open_tags:
        raise MarkupError(f"unclosed <{open_tags[-1]}>")


def plain(text: str) -> str:
    """Return what the user sees of ``text``: tags removed, entities decoded."""
    return html.unescape(re.sub(r"<[^>]*>", "", text))


def check_message(text: str) -> None:
    """Raise MarkupError unless ``text`` is valid HTML and 1–4096 characters once parsed."""
    check(text)
    length = len(plain(text).strip())
    if not 1 <= length <= MAX_MESSAGE_LENGTH:
        raise MarkupError(
            f"{length} characters once parsed; Telegram takes 1 to {MAX_MESSAGE_LENGTH}"
        )


def check_caption(text: str) -> None:
    """Raise MarkupError unless ``text`` is valid HTML and at most 1024 characters once parsed."""
    check(text)
    length = len(plain(text).strip())
    if length > MAX_CAPTION_LENGTH:
        raise MarkupError(
            f"{length} characters once parsed; Telegram takes at most {MAX_CAPTION_LENGTH}"
        )
