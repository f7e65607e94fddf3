"""Does free text name a warning sign? A pure check over every language's word lists.

What a user types is matched against the words of every language the bot speaks, whatever
the user's language: a Chinese speaker with an English app writes 腿麻, and an English
speaker with a Chinese app writes "numb". Nothing here keeps or logs the text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from content.loader import WarningWords

#: A word of Latin letters or digits must stand alone ("numb" is not in "number"); words in
#: scripts written without spaces (Chinese) match anywhere.
_EDGE = "a-z0-9"


def fold(text: str) -> str:
    """``text`` as it is compared: compatibility forms unified (full-width letters), case
    folded, typographic apostrophes plain, runs of white space one space."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("\u2019", "'")
    return " ".join(text.split())


@lru_cache(maxsize=16)
def _patterns(words: WarningWords) -> tuple[tuple[str, ...], re.Pattern[str] | None]:
    """The words to take out first, and one pattern for every sign."""
    parts = []
    for sign in sorted({fold(sign) for sign in words.signs}, key=len, reverse=True):
        before = f"(?<![{_EDGE}])" if re.match(f"[{_EDGE}]", sign) else ""
        after = f"(?![{_EDGE}])" if re.search(f"[{_EDGE}]$", sign) else ""
        parts.append(f"{before}{re.escape(sign)}{after}")
    pattern = re.compile("|".join(parts)) if parts else None
    not_signs = tuple(sorted({fold(word) for word in words.not_signs}, key=len, reverse=True))
    return not_signs, pattern


def names_warning_sign(text: str, languages: Iterable[WarningWords]) -> bool:
    """Whether ``text`` names a warning sign in any of ``languages``' words.

    Args:
        text: what the user typed.
        languages: the word lists of every language the bot speaks (``Content.warning_words``).
    """
    folded = fold(text)
    for words in languages:
        not_signs, pattern = _patterns(words)
        cleaned = folded
        for word in not_signs:
            cleaned = cleaned.replace(word, " ")
        if pattern is not None and pattern.search(cleaned):
            return True
    return False
