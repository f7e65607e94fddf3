"""The words the Mini App's pages add to the bot's own (content/<language>/webapp.toml): read,
and checked to have the same keys and placeholders in every language."""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping
from importlib import resources
from importlib.resources.abc import Traversable
from types import MappingProxyType

from content.loader import DEFAULT_LANGUAGE, LANGUAGES, ContentError

#: Longest text of one key, in characters.
MAX_LENGTH = 300


def _placeholders(value: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in string.Formatter().parse(value) if name)


def load(language: str, root: Traversable | None = None) -> Mapping[str, str]:
    """Read one language's page words.

    Args:
        language: a code from ``content.LANGUAGES``.
        root: the folder holding the language folders; the installed package's by default.

    Returns:
        The words by key.

    Raises:
        ContentError: naming the file and key of a problem (not plain text, too long, a
            placeholder that is not a plain name).
    """
    file = (root or resources.files("content")).joinpath(language).joinpath("webapp.toml")
    try:
        with file.open("rb") as stream:
            data = tomllib.load(stream)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ContentError(f"{file}: {error}") from None
    table = data.get("text")
    if not isinstance(table, dict) or set(data) != {"text"}:
        raise ContentError(f"{file}: expected one table, [text]")
    words: dict[str, str] = {}
    for key, value in table.items():
        where = f"{file}: text.{key}"
        if not isinstance(value, str) or not value.strip():
            raise ContentError(f"{where}: expected text")
        if any(mark in value for mark in "<>&"):
            raise ContentError(f"{where}: plain text, without < > &")
        if len(value) > MAX_LENGTH:
            raise ContentError(f"{where}: {len(value)} characters, at most {MAX_LENGTH}")
        try:
            names = _placeholders(value)
        except ValueError as error:
            raise ContentError(f"{where}: {error}") from None
        if any(not name.isidentifier() for name in names):
            raise ContentError(f"{where}: placeholders are plain names, as {{step}}")
        words[key] = value
    return MappingProxyType(words)


def load_all(root: Traversable | None = None) -> Mapping[str, Mapping[str, str]]:
    """Every language's page words, checked against the default language's: the same keys,
    each with the same placeholders.

    Raises:
        ContentError: naming the language and the key that differs.
    """
    words = {language: load(language, root) for language in LANGUAGES}
    reference = words[DEFAULT_LANGUAGE]
    for language, mine in words.items():
        where = f"{language}/webapp.toml"
        if set(mine) != set(reference):
            missing = sorted(set(reference) - set(mine))
            extra = sorted(set(mine) - set(reference))
            raise ContentError(f"{where}: keys differ: missing {missing}, extra {extra}")
        for key, value in mine.items():
            if _placeholders(value) != _placeholders(reference[key]):
                raise ContentError(f"{where}: text.{key}: placeholders differ from the default")
    return MappingProxyType(words)
