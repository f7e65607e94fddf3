"""The technique pictures: drawn by content/pictures.py, committed under content/images/."""

from __future__ import annotations

import io
from functools import cache

import pytest
from PIL import Image

from content import pictures

CASES = [
    pytest.param(picture_id, language, id=f"{language}-{picture_id}")
    for language in pictures.LANGUAGES
    for picture_id in pictures.PICTURES
]


@cache
def rendered(picture_id: str, language: str) -> bytes:
    return pictures.render(picture_id, language)


@pytest.mark.parametrize(("picture_id", "language"), CASES)
def test_picture_is_a_png_large_enough_for_a_phone(picture_id: str, language: str) -> None:
    image = Image.open(io.BytesIO(rendered(picture_id, language)))
    assert image.format == "PNG"
    assert max(image.size) >= 1024


@pytest.mark.parametrize(("picture_id", "language"), CASES)
def test_rendering_twice_gives_the_same_bytes(picture_id: str, language: str) -> None:
    assert pictures.render(picture_id, language) == rendered(picture_id, language)


@pytest.mark.parametrize(("picture_id", "language"), CASES)
def test_committed_picture_matches_the_code(picture_id: str, language: str) -> None:
    committed = pictures.path(picture_id, language)
    assert committed.exists(), f"{committed} is missing: run `make images`"
    assert committed.read_bytes() == rendered(picture_id, language), (
        f"{committed} is out of date with content/pictures.py or pictures.toml: run `make images`"
    )


@pytest.mark.parametrize(("picture_id", "language"), CASES)
def test_committed_picture_is_small(picture_id: str, language: str) -> None:
    assert pictures.path(picture_id, language).stat().st_size < 300_000


def label_keys(language: str) -> set[str]:
    """The dotted keys ("points.bl23") in a language's pictures.toml."""
    return set(pictures.load_labels(language))


def test_both_languages_have_the_same_label_keys() -> None:
    reference, *others = pictures.LANGUAGES
    for language in others:
        assert label_keys(language) == label_keys(reference), language


@pytest.mark.parametrize("language", pictures.LANGUAGES)
def test_every_label_the_pictures_draw_exists(language: str) -> None:
    assert pictures.label_keys() - label_keys(language) == set()


@pytest.mark.parametrize("language", pictures.LANGUAGES)
def test_no_label_is_empty(language: str) -> None:
    assert [key for key, text in pictures.load_labels(language).items() if not text.strip()] == []


def test_unknown_picture_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown picture"):
        pictures.render("stretching", "en")


def test_path_is_under_content_images() -> None:
    assert pictures.path("kneading", "zh").parts[-3:] == ("images", "zh", "kneading.png")
