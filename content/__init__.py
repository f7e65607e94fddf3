"""Every word the bot says, as TOML files per language, and the loader that validates them."""

from content.loader import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    TOPICS,
    Content,
    ContentError,
    Source,
    Technique,
    Tip,
    load,
    load_all,
)

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "TOPICS",
    "Content",
    "ContentError",
    "Source",
    "Technique",
    "Tip",
    "load",
    "load_all",
]
