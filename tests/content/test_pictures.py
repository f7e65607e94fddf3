"""The technique pictures: drawn by tools/drawing.py, committed under content/images/."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from functools import cache

import pytest
from PIL import Image

from content import pictures, rules
from tools import drawing

CASES = [
    pytest.param(picture_id, language, id=f"{language}-{picture_id}")
    for language in pictures.LANGUAGES
    for picture_id in pictures.PICTURES
]


@cache
def rendered(picture_id: str, language: str) -> bytes:
    return drawing.render(picture_id, language)


@pytest.mark.parametrize(("picture_id", "language"), CASES)
def test_picture_is_a_png_large_enough_for_a_phone(picture_id: str, language: str) -> None:
    image = Image.open(io.BytesIO(rendered(picture_id, language)))
    assert image.format == "PNG"
    assert max(image.size) >= 1024


@pytest.mark.parametrize(("picture_id", "language"), CASES)
def test_rendering_twice_gives_the_same_bytes(picture_id: str, language: str) -> None:
    assert drawing.render(picture_id, language) == rendered(picture_id, language)


@pytest.mark.parametrize(("picture_id", "language"), CASES)
def test_committed_picture_matches_the_code(picture_id: str, language: str) -> None:
    committed = pictures.path(picture_id, language)
    assert committed.exists(), f"{committed} is missing: run `make images`"
    assert committed.read_bytes() == rendered(picture_id, language), (
        f"{committed} is out of date with tools/drawing.py or pictures.toml: run `make images`"
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
    assert drawing.label_keys() - label_keys(language) == set()


@pytest.mark.parametrize("language", pictures.LANGUAGES)
def test_no_label_is_empty(language: str) -> None:
    assert [key for key, text in pictures.load_labels(language).items() if not text.strip()] == []


def test_unknown_picture_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown picture"):
        drawing.render("stretching", "en")


def test_path_is_under_content_images() -> None:
    assert pictures.path("kneading", "zh").parts[-3:] == ("images", "zh", "kneading.png")


def test_points_over_a_nerve_or_big_vessels_say_no_firm_pressure() -> None:
    """GB30 lies over the sciatic nerve; behind the knee (BL40) run the popliteal vessels."""
    overview = drawing.picture_layout("overview")
    (gb30,) = [callout for callout in overview.callouts if callout.key == "points.gb30"]
    assert gb30.caution == drawing.NO_FIRM_PRESSURE
    assert overview.inset
    assert drawing.NO_FIRM_PRESSURE in drawing.INSET_KEYS


@pytest.mark.parametrize(("language", "words"), [("en", "don't press"), ("zh", "不要按")])
def test_the_warning_says_dont_press(language: str, words: str) -> None:
    """GB30 over the sciatic nerve, BL40 over the popliteal artery and vein (safety-facts)."""
    assert words in pictures.load_labels(language)[drawing.NO_FIRM_PRESSURE].lower()


def test_grasping_lifts_folds_at_the_sides_of_the_waist() -> None:
    """The muscles beside the spine cannot be lifted: the folds are well out towards the flanks."""
    grips = drawing.picture_layout("grasping").grips
    assert {grip.side for grip in grips} == {"left", "right"}
    for grip in grips:
        assert abs(grip.fold[0] - drawing.MID) >= 4 * drawing.CUN
        # Between the lowest ribs and the tops of the hip bones.
        assert drawing.LEVELS["L1"] < grip.fold[1] < drawing.LEVELS["L4"]


@pytest.mark.parametrize(
    ("picture_id", "language"),
    [
        pytest.param(picture_id, language, id=f"{language}-{picture_id}")
        for language in pictures.LANGUAGES
        for picture_id in pictures.PICTURES
        if drawing.picture_layout(picture_id).dots or drawing.picture_layout(picture_id).pressed
    ],
)
def test_acupoint_dots_keep_their_red(picture_id: str, language: str) -> None:
    image = Image.open(io.BytesIO(rendered(picture_id, language))).convert("RGB")
    layout = drawing.picture_layout(picture_id)
    for x, y in (*layout.dots, *layout.pressed):
        assert image.getpixel((round(x), round(y))) == drawing.POINT, (x, y)


def test_chinese_labels_use_the_right_words_for_tingling_and_fever() -> None:
    """Tingling is 针刺感 or 发麻 (刺痛 is a stabbing pain); a fever is 发热, not 发烧."""
    text = "".join(pictures.load_labels("zh").values())
    assert "刺痛" not in text
    assert "发烧" not in text


@pytest.mark.slow
def test_the_bot_never_loads_the_drawing_module() -> None:
    """The bot sends the committed files: importing it loads no drawing code (nor the font)."""
    probe = "import sys, bot.app, bot.cli; print('tools.drawing' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False"


# The points never to press: one list, in every language -----------------------------------


def test_every_language_lists_the_same_points_not_to_press() -> None:
    points = pictures.dont_press_points()
    assert points == ("gb30", "bl40")
    for language in pictures.LANGUAGES:
        assert tuple(pictures.dont_press(language)) == points, language


@pytest.mark.parametrize("language", pictures.LANGUAGES)
def test_each_point_not_to_press_is_a_point_and_its_warning_says_dont_press(
    language: str,
) -> None:
    labels = pictures.load_labels(language)
    for code, warning in pictures.dont_press(language).items():
        assert f"points.{code}" in labels, code
        assert re.search(rules.WORDS[language].dont_press, warning, re.IGNORECASE), code


def test_the_pictures_warn_beside_exactly_the_points_not_to_press() -> None:
    """A point called out on any picture has "Don't press" under it if and only if it is in
    the list; BL40, below the picture, is the knee inset's (which says it too)."""
    warned = set()
    for picture_id in pictures.PICTURES:
        layout = drawing.picture_layout(picture_id)
        for callout in layout.callouts:
            kind, _, code = callout.key.partition(".")
            if kind != "points":
                continue
            assert (callout.caution == drawing.NO_FIRM_PRESSURE) == (code in drawing.DONT_PRESS)
            if callout.caution:
                warned.add(code)
        if layout.inset:
            assert drawing.NO_FIRM_PRESSURE in drawing.INSET_KEYS
            warned.add("bl40")
    assert warned == set(pictures.dont_press_points())
