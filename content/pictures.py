"""The technique pictures the bot sends: which there are, where their committed PNG files
are, and the labels drawn on them. ``tools.drawing`` draws the files (``make images``); the
bot only reads them, so it never loads Pillow's drawing or the font at run time."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path

from content import loader

PICTURES: tuple[str, ...] = ("overview", "kneading", "pressing", "pushing", "grasping")
LANGUAGES = loader.LANGUAGES

CONTENT_DIR = Path(__file__).parent
IMAGES_DIR = CONTENT_DIR / "images"


def path(picture_id: str, language: str) -> Path:
    """Where the committed picture lives: content/images/<language>/<picture_id>.png."""
    return IMAGES_DIR / language / f"{picture_id}.png"


def labels_file(language: str) -> Path:
    """The TOML file with every label drawn on the pictures in ``language``."""
    return CONTENT_DIR / language / "pictures.toml"


def _flatten(table: Mapping[str, object], prefix: str = "") -> Iterator[tuple[str, str]]:
    for key, value in table.items():
        if isinstance(value, Mapping):
            yield from _flatten(value, f"{prefix}{key}.")
        elif isinstance(value, str):
            yield f"{prefix}{key}", value
        else:
            raise ValueError(f"{prefix}{key}: expected a string, got {type(value).__name__}")


DONT_PRESS = "dont_press"


def dont_press(language: str) -> dict[str, str]:
    """The points never to press, each with its warning, in ``language``: the one list
    (pictures.toml's ``[dont_press]``) the pictures, the safety rules and the Mini App's map
    read.

    Returns:
        The warnings by point code ("gb30"), in the file's order.
    """
    prefix = f"{DONT_PRESS}."
    return {
        key.removeprefix(prefix): text
        for key, text in load_labels(language).items()
        if key.startswith(prefix)
    }


def dont_press_points() -> tuple[str, ...]:
    """The codes of the points never to press ("gb30", "bl40"), from the default language
    (every language lists the same: a content test checks it)."""
    return tuple(dont_press(loader.DEFAULT_LANGUAGE))


def point_name(label: str) -> str:
    """A point's name without its code: "Huantiao (GB30)" → "Huantiao"."""
    return label.split("(", 1)[0].split("（", 1)[0].strip()


def load_labels(language: str) -> dict[str, str]:
    """Read a language's picture labels.

    Args:
        language: a code from LANGUAGES.

    Returns:
        The labels by dotted key ("points.bl23", "titles.kneading", ...).
    """
    with labels_file(language).open("rb") as stream:
        return dict(_flatten(tomllib.load(stream)))
