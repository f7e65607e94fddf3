"""Every word the bot says, as TOML files per language, and the loader that validates them."""

from content.loader import (
    DEFAULT_LANGUAGE,
    Content,
    ContentError,
    Technique,
    Tip,
    load,
)

__all__ = ["DEFAULT_LANGUAGE", "Content", "ContentError", "Technique", "Tip", "load"]
