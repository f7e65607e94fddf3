"""Draw the technique pictures (content/images/<language>/<picture>.png) with Pillow.

Each picture is a flat, back view of the lower back of someone lying face down: the spine with
L2 and L4 marked, the lowest ribs, the tops of the hip bones, the buttocks. On top of it go the
helper's hands, the direction of movement as arrows and the acupoints, labelled from
``content/<language>/pictures.toml``. ``make images`` (``python -m tools.drawing``) writes the
committed files; the tests check that they match what this module draws, byte for byte. The
bot never imports this module: it sends the committed files (``content.pictures``).

Rendering is deterministic: fixed drawing order, no randomness, no PNG metadata. The font,
Noto Sans CJK, is a dev dependency loaded only here, so the bot itself never needs it.
"""

from __future__ import annotations

import argparse
import importlib
import io
import itertools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal

from PIL import Image, ImageDraw, ImageFont, features

from content.pictures import (
    CONTENT_DIR,
    LANGUAGES,
    PICTURES,
    dont_press_points,
    load_labels,
    path,
)

#: The warning drawn beside a point never to press (GB30 over the sciatic nerve; BL40, behind
#: the knee in the inset, over the popliteal vessels), and the points it goes with: the one
#: list in content/<language>/pictures.toml ([dont_press]).
NO_FIRM_PRESSURE = "notes.no_firm_pressure"
DONT_PRESS = frozenset(dont_press_points())

#: Output size (portrait: it fills a phone screen's width) and the supersampling factor: shapes
#: are drawn at SCALE times the size and scaled down, which smooths their edges.
WIDTH, HEIGHT = 1200, 1600
SCALE = 2
#: Colours in the PNG's palette; enough for smooth edges, few enough for small files.
PALETTE_COLOURS = 96

TITLE_SIZE = 76
LABEL_SIZE = 38
NOTE_SIZE = 36

BACKGROUND = (250, 248, 244)
SKIN = (244, 214, 190)
SKIN_DARK = (226, 186, 158)
FOLD = (236, 198, 172)
OUTLINE = (74, 56, 48)
BONE = (168, 138, 118)
VERTEBRA = (236, 224, 212)
VERTEBRA_MARKED = (190, 160, 138)
HAND = (255, 236, 222)
HAND_OUTLINE = (92, 70, 60)
ARROW = (30, 118, 178)
POINT = (204, 40, 44)
POINT_RING = (214, 96, 92)
TEXT = (34, 30, 28)
#: Text that warns ("no firm pressure"): a dark red that reads on the background and on white.
CAUTION = (176, 30, 36)
LEADER = (96, 90, 86)
INSET_FILL = (255, 255, 255)
#: The colours shapes and text are filled with: each is kept exactly in the PNG's palette.
FLAT_COLOURS: tuple[tuple[int, int, int], ...] = (
    BACKGROUND,
    SKIN,
    SKIN_DARK,
    FOLD,
    OUTLINE,
    BONE,
    VERTEBRA,
    VERTEBRA_MARKED,
    HAND,
    HAND_OUTLINE,
    ARROW,
    POINT,
    POINT_RING,
    TEXT,
    CAUTION,
    LEADER,
    INSET_FILL,
)

Point = tuple[float, float]
Side = Literal["left", "right"]

# The body. Midline, vertebra levels (spinous processes) and the body inch (B-cun) in pixels.
MID = 600.0
CUN = 40.0
LEVELS: Mapping[str, float] = {
    "T10": 140.0,
    "T11": 220.0,
    "T12": 300.0,
    "L1": 380.0,
    "L2": 460.0,
    "L3": 540.0,
    "L4": 620.0,
    "L5": 700.0,
}
#: Acupoints sit just below a spinous process: halfway to the next one.
BELOW_L2 = LEVELS["L2"] + 42
BELOW_L4 = LEVELS["L4"] + 42
SACRUM_TOP = 760.0
SACRAL_HIATUS = 905.0
CLEFT_BOTTOM = 1150.0
BODY_TOP = 120.0
BODY_BOTTOM = 1470.0

#: Outer edge of the body, as (half width, y) from top to bottom; the right side is its mirror.
CONTOUR: tuple[Point, ...] = (
    (252, BODY_TOP),
    (250, 250),
    (240, 350),
    (230, 440),
    (232, 520),
    (250, 610),
    (282, 700),
    (310, 800),
    (322, 900),
    (320, 1000),
    (308, 1100),
    (296, 1200),
    (288, 1330),
    (282, BODY_BOTTOM),
)
TROCHANTER = (306.0, 985.0)


def mirrored(x: float, y: float) -> tuple[Point, Point]:
    """A pair of points either side of the midline, ``x`` from it."""
    return (MID - x, y), (MID + x, y)


#: Acupoints by code: where they are (both sides for paired points), per the WHO locations.
ACUPOINTS: Mapping[str, tuple[Point, ...]] = {
    "gv4": ((MID, BELOW_L2),),
    "gv3": ((MID, BELOW_L4),),
    "bl23": mirrored(1.5 * CUN, BELOW_L2),
    "bl52": mirrored(3 * CUN, BELOW_L2),
    "bl25": mirrored(1.5 * CUN, BELOW_L4),
    "ex_b7": mirrored(3.5 * CUN, BELOW_L4),
    # One third of the way from the greater trochanter to the sacral hiatus.
    "gb30": mirrored(TROCHANTER[0] * 2 / 3, TROCHANTER[1] + (SACRAL_HIATUS - TROCHANTER[1]) / 3),
}
DOT_RADIUS = 13.0


# Fonts --------------------------------------------------------------------------------------


def _font_path() -> str:
    # A dev dependency without type information: imported here, when drawing, and only here.
    module = importlib.import_module("cvttf_NotoSansCJK_Regular")
    return str(module.get_TTF_path())


@cache
def _font(size: int, language: str) -> ImageFont.FreeTypeFont:
    if language == "zh":
        # Raqm shapes the text with the font's Simplified Chinese glyph forms (the font's
        # default forms are the Traditional ones, which differ for characters such as 骨).
        if not features.check("raqm"):
            raise RuntimeError(
                "Chinese pictures need Pillow with Raqm (libraqm + libfribidi) for the "
                "Simplified Chinese glyph forms"
            )
        engine = ImageFont.Layout.RAQM
    else:
        engine = ImageFont.Layout.BASIC
    return ImageFont.truetype(_font_path(), size * SCALE, layout_engine=engine)


# Drawing helpers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle in output pixels."""

    left: float
    top: float
    right: float
    bottom: float

    def grown(self, margin: float) -> Box:
        return Box(self.left - margin, self.top - margin, self.right + margin, self.bottom + margin)

    def overlaps(self, other: Box) -> bool:
        return (
            self.left < other.right
            and other.left < self.right
            and self.top < other.bottom
            and other.top < self.bottom
        )

    def contains(self, point: Point) -> bool:
        return self.left <= point[0] <= self.right and self.top <= point[1] <= self.bottom


def _dot_box(point: Point, radius: float = DOT_RADIUS) -> Box:
    return Box(point[0] - radius, point[1] - radius, point[0] + radius, point[1] + radius)


def _catmull_rom(p0: Point, p1: Point, p2: Point, p3: Point, t: float) -> Point:
    """The point at ``t`` (0..1) on the Catmull-Rom curve from p1 to p2."""
    t2, t3 = t * t, t * t * t

    def blend(k: int) -> float:
        return 0.5 * (
            2 * p1[k]
            + (-p0[k] + p2[k]) * t
            + (2 * p0[k] - 5 * p1[k] + 4 * p2[k] - p3[k]) * t2
            + (-p0[k] + 3 * p1[k] - 3 * p2[k] + p3[k]) * t3
        )

    return blend(0), blend(1)


def _bezier_chain(points: Sequence[Point], steps: int = 16) -> list[Point]:
    """A smooth curve through ``points`` (Catmull-Rom), as a polyline."""
    if len(points) < 3:
        return list(points)
    padded = [points[0], *points, points[-1]]
    curve: list[Point] = []
    for i in range(1, len(padded) - 2):
        p0, p1, p2, p3 = padded[i - 1], padded[i], padded[i + 1], padded[i + 2]
        for step in range(steps):
            curve.append(_catmull_rom(p0, p1, p2, p3, step / steps))
    curve.append(points[-1])
    return curve


def _capsule(start: Point, end: Point, radius: float, steps: int = 18) -> list[Point]:
    """A stadium shape around the segment start-end: a finger, a thumb, an arrow shaft."""
    angle = math.atan2(end[1] - start[1], end[0] - start[0])
    outline: list[Point] = []
    for centre, offset in ((end, -math.pi / 2), (start, math.pi / 2)):
        for step in range(steps + 1):
            a = angle + offset + math.pi * step / steps
            outline.append((centre[0] + radius * math.cos(a), centre[1] + radius * math.sin(a)))
    return outline


def _oval(
    centre: Point, rx: float, ry: float, exponent: float = 2.0, steps: int = 72
) -> list[Point]:
    """An ellipse (exponent 2) or a rounder-cornered superellipse (exponent > 2)."""
    outline: list[Point] = []
    for step in range(steps):
        a = 2 * math.pi * step / steps
        c, s = math.cos(a), math.sin(a)
        outline.append(
            (
                centre[0] + rx * math.copysign(abs(c) ** (2 / exponent), c),
                centre[1] + ry * math.copysign(abs(s) ** (2 / exponent), s),
            )
        )
    return outline


def _place(points: Iterable[Point], origin: Point, angle: float, flip: bool = False) -> list[Point]:
    """Move a shape drawn around (0, 0) to ``origin``, turned by ``angle`` degrees."""
    a = math.radians(angle)
    c, s = math.cos(a), math.sin(a)
    placed = []
    for x, y in points:
        x = -x if flip else x
        placed.append((origin[0] + x * c - y * s, origin[1] + x * s + y * c))
    return placed


class Canvas:
    """An image drawn at SCALE times the output size, addressed in output pixels."""

    def __init__(self, language: str, strict: bool = True) -> None:
        self.language = language
        #: The language tag Raqm shapes text for (it picks the font's regional glyph forms).
        self.shaping = "zh-Hans" if language == "zh" else None
        #: Refuse layouts where labels collide (off only to look at a broken layout).
        self.strict = strict
        self.image = Image.new("RGB", (WIDTH * SCALE, HEIGHT * SCALE), BACKGROUND)
        self.draw = ImageDraw.Draw(self.image)
        #: What labels must keep clear of: dots, hands and the labels placed so far.
        self.obstacles: list[tuple[str, Box]] = []
        #: Where the hands are, pixel by pixel, for the same check.
        self.hands = Image.new("1", (WIDTH, HEIGHT), 0)

    def add_hand(self, parts: Iterable[Sequence[Point]]) -> None:
        mask = ImageDraw.Draw(self.hands)
        for part in parts:
            mask.polygon(list(part), fill=1)

    def covers_hand(self, box: Box) -> bool:
        crop = self.hands.crop(
            (round(box.left), round(box.top), round(box.right), round(box.bottom))
        )
        return crop.getbbox() is not None

    def on_hand(self, point: Point) -> bool:
        x, y = round(point[0]), round(point[1])
        return 0 <= x < WIDTH and 0 <= y < HEIGHT and bool(self.hands.getpixel((x, y)))

    # Geometry at scale.

    @staticmethod
    def _xy(points: Iterable[Point]) -> list[tuple[float, float]]:
        return [(x * SCALE, y * SCALE) for x, y in points]

    def polygon(self, points: Sequence[Point], fill: tuple[int, int, int]) -> None:
        self.draw.polygon(self._xy(points), fill=fill)

    def line(
        self, points: Sequence[Point], colour: tuple[int, int, int], width: float, round_ends: bool
    ) -> None:
        w = round(width * SCALE)
        self.draw.line(self._xy(points), fill=colour, width=w, joint="curve")
        if round_ends:
            for x, y in (points[0], points[-1]):
                r = width / 2
                self.circle((x, y), r, colour)

    def dashed(
        self, start: Point, end: Point, colour: tuple[int, int, int], width: float, dash: float
    ) -> None:
        length = math.dist(start, end)
        count = int(length // (2 * dash))
        for i in range(count + 1):
            t0 = (2 * i * dash) / length
            t1 = min(1.0, (2 * i + 1) * dash / length)
            if t0 >= 1:
                break
            a = (start[0] + (end[0] - start[0]) * t0, start[1] + (end[1] - start[1]) * t0)
            b = (start[0] + (end[0] - start[0]) * t1, start[1] + (end[1] - start[1]) * t1)
            self.line([a, b], colour, width, round_ends=False)

    def circle(
        self,
        centre: Point,
        radius: float,
        fill: tuple[int, int, int] | None,
        outline: tuple[int, int, int] | None = None,
        width: float = 0,
    ) -> None:
        x, y = centre
        box = [
            (x - radius) * SCALE,
            (y - radius) * SCALE,
            (x + radius) * SCALE,
            (y + radius) * SCALE,
        ]
        self.draw.ellipse(box, fill=fill, outline=outline, width=round(width * SCALE))

    def outlined(
        self,
        parts: Sequence[Sequence[Point]],
        expanded: Sequence[Sequence[Point]],
        fill: tuple[int, int, int],
        outline: tuple[int, int, int],
    ) -> None:
        """Shapes that read as one: all outlines (grown copies) first, then all fills."""
        for part in expanded:
            self.polygon(part, outline)
        for part in parts:
            self.polygon(part, fill)

    # Text.

    def text_width(self, text: str, size: int) -> float:
        """How wide a line of text is, in output pixels."""
        left, _, right, _ = _font(size, self.language).getbbox(text, language=self.shaping)
        return (right - left) / SCALE

    def wrap(self, text: str, size: int, max_width: float) -> list[str]:
        """Split text into as few lines as fit in max_width, of about equal width.

        English breaks at spaces; Chinese between characters, but never before closing
        punctuation and never inside brackets.
        """
        if self.text_width(text, size) <= max_width:
            return [text]
        if " " in text:
            tokens, joiner = text.split(" "), " "
        else:
            joiner = ""
            tokens = CHINESE_CLAUSE.findall(text)
            if any(self.text_width(token, size) > max_width for token in tokens):
                tokens = CHINESE_TOKEN.findall(text)
        lines = self._greedy(tokens, joiner, size, max_width)
        too_wide = [line for line in lines if self.text_width(line, size) > max_width]
        if too_wide:
            raise LayoutError(f"{self.language} {too_wide[0]!r} is wider than {max_width:.0f} px")
        # Narrow the column while the line count holds, so no line is left with one word.
        width = max_width
        while width > 40:
            narrower = self._greedy(tokens, joiner, size, width - 8)
            if len(narrower) != len(lines) or any(
                self.text_width(line, size) > width - 8 for line in narrower
            ):
                break
            lines, width = narrower, width - 8
        return lines

    def _greedy(self, tokens: Sequence[str], joiner: str, size: int, max_width: float) -> list[str]:
        lines: list[str] = []
        current = ""
        for token in tokens:
            candidate = f"{current}{joiner}{token}" if current else token
            if current and self.text_width(candidate, size) > max_width:
                lines.append(current)
                current = token
            else:
                current = candidate
        lines.append(current)
        return lines

    def text_block(
        self,
        lines: Sequence[str],
        size: int,
        anchor: Point,
        align: Literal["l", "m", "r"],
        fills: Sequence[tuple[int, int, int]] | None = None,
    ) -> Box:
        """Draw lines of text around ``anchor`` (vertical centre; left, middle or right).

        ``fills`` gives each line's colour (TEXT for all by default).
        """
        font = _font(size, self.language)
        colours = [TEXT] * len(lines) if fills is None else list(fills)
        if len(colours) != len(lines):
            raise ValueError(f"{len(lines)} lines but {len(colours)} colours")
        line_height = size * 1.22
        widths = [self.text_width(line, size) for line in lines]
        block_width = max(widths)
        block_height = line_height * len(lines)
        top = anchor[1] - block_height / 2
        if align == "l":
            left = anchor[0]
        elif align == "r":
            left = anchor[0] - block_width
        else:
            left = anchor[0] - block_width / 2
        for i, (line, width, colour) in enumerate(zip(lines, widths, colours, strict=True)):
            if align == "l":
                x = left
            elif align == "r":
                x = left + block_width - width
            else:
                x = anchor[0] - width / 2
            y = top + line_height * (i + 0.5)
            self.draw.text(
                (x * SCALE, y * SCALE),
                line,
                font=font,
                fill=colour,
                anchor="lm",
                language=self.shaping,
            )
        return Box(left, top, left + block_width, top + block_height)

    def finish(self) -> bytes:
        small = self.image.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS)
        # The palette: every flat colour, so that none drifts (median cut alone once turned the
        # red dots brown when a label changed), then median-cut colours for the smooth edges.
        edges = small.quantize(
            colors=PALETTE_COLOURS - len(FLAT_COLOURS),
            method=Image.Quantize.MEDIANCUT,
            dither=Image.Dither.NONE,
        )
        values = (edges.getpalette() or [])[: 3 * (PALETTE_COLOURS - len(FLAT_COLOURS))]
        # Near-copies of a flat colour are left out: Pillow's lookup, being approximate, could
        # pick them for that colour's own pixels.
        edge_colours = [
            colour
            for colour in (tuple(values[i : i + 3]) for i in range(0, len(values), 3))
            if all(_colour_distance(colour, flat) > 8 for flat in FLAT_COLOURS)
        ]
        palette = Image.new("P", (1, 1))
        palette.putpalette(list(itertools.chain(*FLAT_COLOURS, *edge_colours)))
        paletted = small.quantize(palette=palette, dither=Image.Dither.NONE)
        buffer = io.BytesIO()
        paletted.save(buffer, format="PNG", optimize=True)
        return buffer.getvalue()


def _colour_distance(a: Sequence[int], b: Sequence[int]) -> int:
    """How far apart two RGB colours are, in the channel that differs most."""
    return max(abs(x - y) for x, y in zip(a, b, strict=True))


#: Chinese wraps after a clause's punctuation if it can, else between characters.
CHINESE_CLAUSE = re.compile(r"[^，。；：]+[，。；：]?")
CHINESE_TOKEN = re.compile(r"（[^）]*）[，。；：、]?|.[，。；：、！？）]*")


class LayoutError(ValueError):
    """A label would not fit, or would overlap another label, a dot or a hand."""


# The body -------------------------------------------------------------------------------------


def draw_body(canvas: Canvas) -> None:
    """The torso from mid-back to the upper thighs, lying face down, seen from behind."""
    left = [(MID - dx, y) for dx, y in CONTOUR]
    right = [(MID + dx, y) for dx, y in reversed(CONTOUR)]
    left_curve = _bezier_chain(left)
    right_curve = _bezier_chain(right)
    crotch = (MID, CLEFT_BOTTOM + 40)
    inner_left = _bezier_chain([(MID - 22, BODY_BOTTOM), (MID - 10, crotch[1] + 90), crotch])
    inner_right = _bezier_chain([crotch, (MID + 10, crotch[1] + 90), (MID + 22, BODY_BOTTOM)])
    outline = [*left_curve, *inner_left, *inner_right[1:], *right_curve]
    canvas.polygon(outline, OUTLINE)
    # The fill is the same shape pulled in by the outline's width.
    inner = [(MID + (x - MID) - math.copysign(3.5, x - MID), y) for x, y in outline]
    canvas.polygon(inner, SKIN)
    # The gap between the thighs, drawn over the fill so its edges get the outline too.
    canvas.line(inner_left, OUTLINE, 3.5, round_ends=False)
    canvas.line(inner_right, OUTLINE, 3.5, round_ends=False)

    # Buttocks: the cleft and the creases under them.
    canvas.line([(MID, SACRAL_HIATUS + 60), (MID, CLEFT_BOTTOM + 40)], OUTLINE, 3, round_ends=True)
    for sign in (-1, 1):
        crease = _bezier_chain(
            [
                (MID + sign * 14, CLEFT_BOTTOM + 36),
                (MID + sign * 110, CLEFT_BOTTOM + 62),
                (MID + sign * 215, CLEFT_BOTTOM + 50),
                (MID + sign * 268, CLEFT_BOTTOM + 18),
            ]
        )
        canvas.line(crease, OUTLINE, 3, round_ends=True)

    # Lowest ribs, faintly: where the ribs end, level with about L2 at the sides.
    for sign in (-1, 1):
        for start_y, tip in ((LEVELS["T11"] + 10, (218, 468)), (LEVELS["T12"] + 10, (160, 455))):
            rib = _bezier_chain(
                [
                    (MID + sign * 26, start_y),
                    (MID + sign * tip[0] * 0.6, start_y + 60),
                    (MID + sign * tip[0], tip[1]),
                ]
            )
            canvas.line(rib, BONE, 4, round_ends=True)

    # Tops of the hip bones (iliac crests): the line joining them crosses the spine at L4.
    for sign in (-1, 1):
        crest = _bezier_chain(
            [
                (MID + sign * 62, SACRUM_TOP + 70),
                (MID + sign * 120, LEVELS["L4"] + 30),
                (MID + sign * 200, LEVELS["L4"]),
                (MID + sign * 262, LEVELS["L4"] + 40),
            ]
        )
        canvas.line(crest, BONE, 5, round_ends=True)
    canvas.dashed((MID - 262, LEVELS["L4"]), (MID + 262, LEVELS["L4"]), BONE, 3, 12)

    # Sacrum, a faint triangle under the lumbar spine.
    sacrum = [
        (MID - 70, SACRUM_TOP),
        (MID + 70, SACRUM_TOP),
        (MID + 16, SACRAL_HIATUS + 40),
        (MID - 16, SACRAL_HIATUS + 40),
    ]
    canvas.line([*sacrum, sacrum[0]], SKIN_DARK, 3, round_ends=False)

    # Spine: a midline and the spinous processes, L2 and L4 darker.
    canvas.line([(MID, BODY_TOP), (MID, SACRUM_TOP)], BONE, 3, round_ends=False)
    for name, y in LEVELS.items():
        fill = VERTEBRA_MARKED if name in ("L2", "L4") else VERTEBRA
        shape = _oval((MID, y), 15, 20, exponent=3)
        canvas.outlined([shape], [_oval((MID, y), 18, 23, exponent=3)], fill, BONE)


# Hands and arrows ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Hand:
    """A helper's hand seen from above: where its palm centre is and which way it points.

    ``angle`` 0 means the fingers point to the person's head; the thumb is on the hand's right
    unless ``flip``. ``thumb`` "out" spreads the thumb for pressing; "along" keeps it by the palm.
    """

    centre: Point
    angle: float
    flip: bool = False
    thumb: Literal["along", "out", "none"] = "along"


#: The hand's parts around (0, 0), fingers up (-y): palm, mitten of fingers, thumb.
PALM = ((0.0, 0.0), 56.0, 58.0)
FINGERS = ((0.0, -52.0), (0.0, -108.0), 50.0)
THUMBS: Mapping[str, tuple[Point, Point, float]] = {
    "along": ((42.0, 8.0), (74.0, -48.0), 19.0),
    "out": ((40.0, -4.0), (112.0, -36.0), 19.0),
}
#: Where the thumb pad is, for the "out" thumb (the point it presses).
THUMB_TIP: Point = (112.0, -36.0)


def _hand_parts(hand: Hand, grow: float) -> list[list[Point]]:
    (centre, rx, ry) = PALM
    parts = [
        _oval(centre, rx + grow, ry + grow, exponent=2.6),
        _capsule(FINGERS[0], FINGERS[1], FINGERS[2] + grow),
    ]
    if hand.thumb != "none":
        start, end, radius = THUMBS[hand.thumb]
        parts.append(_capsule(start, end, radius + grow))
    return [_place(part, hand.centre, hand.angle, hand.flip) for part in parts]


def draw_hand(canvas: Canvas, hand: Hand) -> None:
    canvas.outlined(_hand_parts(hand, 0), _hand_parts(hand, 4), HAND, HAND_OUTLINE)
    # Three short lines between the fingers make the mitten read as a hand.
    for x in (-25.0, 0.0, 25.0):
        seam = _place(
            [(x, -158.0 + abs(x) * 0.35), (x, -118.0)], hand.centre, hand.angle, hand.flip
        )
        canvas.line(seam, HAND_OUTLINE, 3, round_ends=True)
    canvas.add_hand(_hand_parts(hand, 4))


@dataclass(frozen=True)
class Grip:
    """A hand gathering a fold of muscle between thumb and fingertips, seen from above.

    ``fold`` is the middle of the fold; the hand comes from the body's ``side``.
    """

    fold: Point
    side: Side


def _grip_parts(grip: Grip, grow: float) -> list[list[Point]]:
    # Drawn for the left side (the thumb reaches towards the spine, +x), mirrored for the right.
    parts = [
        _oval((-108.0, 0.0), 62 + grow, 66 + grow, exponent=2.4),
        *(_oval((-48.0, y), 19 + grow, 17 + grow) for y in (-48.0, -16.0, 16.0, 48.0)),
        _capsule((-84.0, -44.0), (44.0, -14.0), 19 + grow),
    ]
    return [_place(part, grip.fold, 0, grip.side == "right") for part in parts]


def draw_grip(canvas: Canvas, grip: Grip) -> None:
    fold = _place(_capsule((0.0, -90.0), (0.0, 90.0), 24), grip.fold, 0)
    fold_outline = _place(_capsule((0.0, -90.0), (0.0, 90.0), 27), grip.fold, 0)
    canvas.outlined([fold], [fold_outline], FOLD, BONE)
    canvas.outlined(_grip_parts(grip, 0), _grip_parts(grip, 4), HAND, HAND_OUTLINE)
    canvas.add_hand([*_grip_parts(grip, 4), fold_outline])
    # Thumb and fingertips close in on the fold from both sides.
    flip = grip.side == "right"
    for start, end in (((-92.0, 80.0), (-34.0, 80.0)), ((92.0, 80.0), (34.0, 80.0))):
        a, b = _place([start, end], grip.fold, 0, flip)
        draw_arrow(canvas, a, b, width=11)


def thumb_tip(hand: Hand) -> Point:
    return _place([THUMB_TIP], hand.centre, hand.angle, hand.flip)[0]


def hand_at_thumb(point: Point, angle: float, flip: bool) -> Hand:
    """A hand placed so that its spread thumb's pad rests on ``point``."""
    probe = Hand((0.0, 0.0), angle, flip, "out")
    tip = thumb_tip(probe)
    return Hand((point[0] - tip[0], point[1] - tip[1]), angle, flip, "out")


def _arrow_head(canvas: Canvas, tip: Point, direction: float, size: float) -> None:
    back = direction + math.pi
    wing = math.radians(28)
    left = (tip[0] + size * math.cos(back - wing), tip[1] + size * math.sin(back - wing))
    right = (tip[0] + size * math.cos(back + wing), tip[1] + size * math.sin(back + wing))
    canvas.polygon([tip, left, right], ARROW)


def draw_arrow(canvas: Canvas, start: Point, end: Point, width: float = 14) -> None:
    """A straight arrow from start to end, with a white edge so it reads on skin and hands."""
    direction = math.atan2(end[1] - start[1], end[0] - start[0])
    head = width * 3.2
    shaft_end = (
        end[0] - head * 0.8 * math.cos(direction),
        end[1] - head * 0.8 * math.sin(direction),
    )
    canvas.line([start, shaft_end], (255, 255, 255), width + 8, round_ends=True)
    _arrow_head_halo(canvas, end, direction, head)
    canvas.line([start, shaft_end], ARROW, width, round_ends=True)
    _arrow_head(canvas, end, direction, head)


def _arrow_head_halo(canvas: Canvas, tip: Point, direction: float, size: float) -> None:
    grown_tip = (tip[0] + 7 * math.cos(direction), tip[1] + 7 * math.sin(direction))
    back = direction + math.pi
    wing = math.radians(31)
    s = size + 10
    left = (grown_tip[0] + s * math.cos(back - wing), grown_tip[1] + s * math.sin(back - wing))
    right = (grown_tip[0] + s * math.cos(back + wing), grown_tip[1] + s * math.sin(back + wing))
    canvas.polygon([grown_tip, left, right], (255, 255, 255))


def draw_circle_arrow(
    canvas: Canvas, centre: Point, radius: float, clockwise: bool, width: float = 12
) -> None:
    """Most of a circle with an arrowhead: the slow circles of kneading."""
    sweep = 290
    start = -60.0
    steps = 60
    angles = [start + sweep * i / steps for i in range(steps + 1)]
    if not clockwise:
        angles = [180 - a for a in angles]
    arc = [
        (
            centre[0] + radius * math.cos(math.radians(a)),
            centre[1] + radius * math.sin(math.radians(a)),
        )
        for a in angles
    ]
    end_angle = math.radians(angles[-1])
    tangent = end_angle + (math.pi / 2 if clockwise else -math.pi / 2)
    head = width * 3.2
    tip = (
        arc[-1][0] + head * 0.55 * math.cos(tangent),
        arc[-1][1] + head * 0.55 * math.sin(tangent),
    )
    canvas.line(arc, (255, 255, 255), width + 8, round_ends=True)
    _arrow_head_halo(canvas, tip, tangent, head)
    canvas.line(arc, ARROW, width, round_ends=True)
    _arrow_head(canvas, tip, tangent, head)


# Acupoints and labels -----------------------------------------------------------------------


def draw_press_rings(canvas: Canvas, point: Point) -> None:
    """Circles round an acupoint that mean "press here", drawn under the thumb."""
    for radius in (46.0, 31.0):
        canvas.circle(point, radius, None, POINT_RING, 4)


def draw_dot(canvas: Canvas, point: Point) -> None:
    """An acupoint."""
    canvas.circle(point, DOT_RADIUS + 3, (255, 255, 255))
    canvas.circle(point, DOT_RADIUS, POINT)
    canvas.obstacles.append(("dot", _dot_box(point, DOT_RADIUS + 3)))


@dataclass(frozen=True)
class Callout:
    """A label in a side column and a leader line to what it names.

    ``at`` is the label's edge nearest the body (its right edge on the left side, its left edge
    on the right side) and its vertical centre; ``to`` is the thing named.
    """

    key: str
    at: Point
    to: Point | None
    side: Side
    to_dot: bool = True
    #: A bend in the leader line, to go round other dots.
    via: Point | None = None
    #: A warning drawn under the label in CAUTION red, as a label key ("notes.no_firm_pressure");
    #: a point never to press (pictures.toml's [dont_press]) always has "Don't press".
    caution: str | None = None

    def __post_init__(self) -> None:
        kind, _, code = self.key.partition(".")
        if self.caution is None and kind == "points" and code in DONT_PRESS:
            object.__setattr__(self, "caution", NO_FIRM_PRESSURE)


@dataclass(frozen=True)
class Tag:
    """A short label with no leader line, centred at ``at`` (L2, L4, a note)."""

    key: str
    at: Point
    size: int = LABEL_SIZE
    max_width: float = WIDTH - 80


MARGIN = 22.0


def draw_callouts(
    canvas: Canvas, labels: Mapping[str, str], callouts: Sequence[Callout], tags: Sequence[Tag]
) -> None:
    """Draw every label and leader line, refusing any layout where they would collide."""
    placed: list[tuple[str, Box]] = []
    leaders: list[tuple[str, list[Point], Point | None]] = []
    for callout in callouts:
        text = labels[callout.key]
        if callout.side == "left":
            max_width = callout.at[0] - MARGIN
            align: Literal["l", "r"] = "r"
        else:
            max_width = WIDTH - MARGIN - callout.at[0]
            align = "l"
        lines = canvas.wrap(text, LABEL_SIZE, max_width)
        fills = [TEXT] * len(lines)
        if callout.caution is not None:
            warning = canvas.wrap(labels[callout.caution], LABEL_SIZE, max_width)
            lines += warning
            fills += [CAUTION] * len(warning)
        box = canvas.text_block(lines, LABEL_SIZE, callout.at, align, fills)
        placed.append((callout.key, box))
        if callout.to is not None:
            gap = 12.0 if callout.side == "right" else -12.0
            start = (callout.at[0] - gap, callout.at[1])
            bend = callout.via or start
            end = callout.to
            if callout.to_dot:
                # Stop short of the dot, so the line points at it without covering it.
                d = math.dist(bend, end)
                end = (
                    end[0] + (bend[0] - end[0]) * (DOT_RADIUS + 7) / d,
                    end[1] + (bend[1] - end[1]) * (DOT_RADIUS + 7) / d,
                )
            route = [start, bend, end] if callout.via else [start, end]
            canvas.line(route, LEADER, 3, round_ends=True)
            canvas.circle(end, 4.5, LEADER)
            leaders.append((callout.key, route, callout.to))
    for tag in tags:
        lines = canvas.wrap(labels[tag.key], tag.size, tag.max_width)
        placed.append((tag.key, canvas.text_block(lines, tag.size, tag.at, "m")))
    if canvas.strict:
        _check_layout(canvas, placed, leaders)


def _check_layout(
    canvas: Canvas,
    placed: Sequence[tuple[str, Box]],
    leaders: Sequence[tuple[str, list[Point], Point | None]],
) -> None:
    for i, (key, box) in enumerate(placed):
        if box.left < 0 or box.top < 0 or box.right > WIDTH or box.bottom > HEIGHT:
            raise LayoutError(f"{canvas.language} {key!r} runs off the picture")
        for other_key, other in placed[i + 1 :]:
            if box.grown(4).overlaps(other):
                raise LayoutError(f"{canvas.language} labels {key!r} and {other_key!r} overlap")
        for kind, obstacle in canvas.obstacles:
            if box.grown(4).overlaps(obstacle):
                raise LayoutError(f"{canvas.language} label {key!r} covers a {kind}")
        if canvas.covers_hand(box.grown(4)):
            raise LayoutError(f"{canvas.language} label {key!r} covers a hand")
    for key, route, target in leaders:
        samples = [
            (start[0] + (end[0] - start[0]) * i / 100, start[1] + (end[1] - start[1]) * i / 100)
            for start, end in itertools.pairwise(route)
            for i in range(101)
        ]
        for other_key, box in placed:
            if other_key != key and any(box.grown(4).contains(p) for p in samples):
                raise LayoutError(f"{canvas.language} leader of {key!r} crosses {other_key!r}")
        for kind, obstacle in canvas.obstacles:
            if kind != "dot" or (target is not None and obstacle.contains(target)):
                continue
            if any(obstacle.grown(4).contains(p) for p in samples):
                raise LayoutError(f"{canvas.language} leader of {key!r} crosses another dot")
        # The last stretch may cross the hand that presses the point it names.
        end = route[-1]
        if any(canvas.on_hand(p) and math.dist(p, end) > 70 for p in samples):
            raise LayoutError(f"{canvas.language} leader of {key!r} crosses a hand")


def draw_title(canvas: Canvas, labels: Mapping[str, str], picture_id: str) -> None:
    canvas.polygon([(0, 0), (WIDTH, 0), (WIDTH, BODY_TOP), (0, BODY_TOP)], BACKGROUND)
    canvas.text_block([labels[f"titles.{picture_id}"]], TITLE_SIZE, (WIDTH / 2, 62), "m")


def draw_note(canvas: Canvas, labels: Mapping[str, str], key: str) -> None:
    """A one- or two-line hint under the picture."""
    canvas.polygon(
        [(0, BODY_BOTTOM), (WIDTH, BODY_BOTTOM), (WIDTH, HEIGHT), (0, HEIGHT)], BACKGROUND
    )
    lines = canvas.wrap(labels[key], NOTE_SIZE, WIDTH - 2 * MARGIN - 40)
    if len(lines) > 2:
        raise LayoutError(f"{canvas.language} note {key!r} needs more than two lines")
    canvas.text_block(lines, NOTE_SIZE, (WIDTH / 2, (BODY_BOTTOM + HEIGHT) / 2), "m")


# The pictures --------------------------------------------------------------------------------

LEFT_COLUMN = 338.0
RIGHT_COLUMN = 862.0
HIP_LEFT_COLUMN = 262.0
HIP_RIGHT_COLUMN = 938.0


def _left(code: str) -> Point:
    return ACUPOINTS[code][0]


def _right(code: str) -> Point:
    return ACUPOINTS[code][-1]


def _spine_at(y: float, side: Side) -> Point:
    return (MID - 20 if side == "left" else MID + 20, y)


RIB_RIGHT: Point = (MID + 176, 340)
CREST_RIGHT: Point = (MID + 214, LEVELS["L4"] + 3)


@dataclass(frozen=True)
class Layout:
    """What one picture draws on top of the body, in drawing order."""

    hands: tuple[Hand, ...] = ()
    grips: tuple[Grip, ...] = ()
    arrows: tuple[tuple[Point, Point], ...] = ()
    circles: tuple[tuple[Point, float, bool], ...] = ()
    dots: tuple[Point, ...] = ()
    pressed: tuple[Point, ...] = ()
    callouts: tuple[Callout, ...] = ()
    tags: tuple[Tag, ...] = ()
    note: str | None = None
    inset: bool = False


#: Where grasping lifts its folds: at the sides of the waist, between the lowest ribs and the
#: tops of the hip bones, well out from the spine (the muscles beside it cannot be lifted).
GRASP_LEFT: Point = (MID - 182, 495)
GRASP_RIGHT: Point = (MID + 182, 495)


def _points(*codes: str) -> tuple[Point, ...]:
    return tuple(point for code in codes for point in ACUPOINTS[code])


def _layouts() -> dict[str, Layout]:
    l2_tag = Tag("landmarks.l2", (MID - 52, LEVELS["L2"] - 4))
    l4_tag = Tag("landmarks.l4", (MID - 52, LEVELS["L4"] - 26))
    spine_top = _spine_at(LEVELS["T11"] - 40, "right")
    spine = Callout("landmarks.spine", (RIGHT_COLUMN, 180), spine_top, "right", False)
    keep_off = Callout("notes.keep_off_spine", (RIGHT_COLUMN, 180), spine_top, "right", False)
    ribs = Callout("landmarks.ribs", (RIGHT_COLUMN, 300), RIB_RIGHT, "right", False)
    crest = Callout("landmarks.hip_line", (HIP_RIGHT_COLUMN - 30, 730), CREST_RIGHT, "right", False)
    gv4 = Callout("points.gv4", (RIGHT_COLUMN, 410), ACUPOINTS["gv4"][0], "right", via=(640, 445))
    gv3 = Callout("points.gv3", (RIGHT_COLUMN, 570), ACUPOINTS["gv3"][0], "right", via=(645, 600))
    pressing_left = hand_at_thumb(_left("bl23"), -8, flip=False)
    pressing_right = hand_at_thumb(_right("bl23"), 8, flip=True)
    return {
        "overview": Layout(
            dots=_points("gv4", "gv3", "bl23", "bl52", "bl25", "ex_b7", "gb30"),
            callouts=(
                Callout("points.bl23", (LEFT_COLUMN, 400), _left("bl23"), "left"),
                Callout("points.bl52", (LEFT_COLUMN, BELOW_L2), _left("bl52"), "left"),
                Callout("points.ex_b7", (LEFT_COLUMN - 30, BELOW_L4), _left("ex_b7"), "left"),
                Callout("points.bl25", (LEFT_COLUMN - 56, 790), _left("bl25"), "left"),
                Callout("points.gb30", (HIP_LEFT_COLUMN, 1010), _left("gb30"), "left"),
                spine,
                ribs,
                gv4,
                gv3,
                crest,
            ),
            tags=(l2_tag, l4_tag),
            note="notes.paired",
            inset=True,
        ),
        "kneading": Layout(
            hands=(Hand((MID - 128, 560), -8, flip=True), Hand((MID + 128, 560), 8)),
            circles=(((MID - 128, 540), 62, False), ((MID + 128, 540), 62, True)),
            callouts=(keep_off, ribs, crest),
            note="notes.kneading",
        ),
        "pressing": Layout(
            hands=(pressing_left, pressing_right),
            pressed=_points("bl23", "bl25"),
            callouts=(
                Callout("points.bl23", (LEFT_COLUMN, 220), _left("bl23"), "left", via=(548, 400)),
                Callout("points.bl25", (LEFT_COLUMN - 50, 800), _left("bl25"), "left"),
                keep_off,
                ribs,
                crest,
            ),
            tags=(Tag("landmarks.l4", (MID + 52, LEVELS["L4"] - 26)),),
            note="notes.pressing",
        ),
        "pushing": Layout(
            hands=(Hand((MID - 110, 420), 180, flip=False), Hand((MID + 110, 420), 180, flip=True)),
            arrows=(
                ((MID - 110, 470), (MID - 110, LEVELS["L4"] + 20)),
                ((MID + 110, 470), (MID + 110, LEVELS["L4"] + 20)),
            ),
            callouts=(keep_off, ribs, crest),
            note="notes.pushing",
        ),
        "grasping": Layout(
            grips=(Grip(GRASP_LEFT, "left"), Grip(GRASP_RIGHT, "right")),
            callouts=(
                keep_off,
                ribs,
                # The crest further out than CREST_RIGHT, where the fold does not hide it.
                Callout("landmarks.hip_line", crest.at, (MID + 240, 641), "right", False),
                Callout(
                    "landmarks.fold", (LEFT_COLUMN, 330), (GRASP_LEFT[0] - 12, 398), "left", False
                ),
            ),
            note="notes.grasping",
        ),
    }


def picture_layout(picture_id: str) -> Layout:
    """What one picture (one of PICTURES) draws on top of the body."""
    return _layouts()[picture_id]


def _label_keys(layout: Layout, picture_id: str) -> set[str]:
    keys = {f"titles.{picture_id}"}
    keys.update(callout.key for callout in layout.callouts)
    keys.update(callout.caution for callout in layout.callouts if callout.caution)
    keys.update(tag.key for tag in layout.tags)
    if layout.note:
        keys.add(layout.note)
    if layout.inset:
        keys.update(INSET_KEYS)
    return keys


INSET_KEYS = ("points.bl40", "landmarks.knee", NO_FIRM_PRESSURE)


def label_keys() -> frozenset[str]:
    """Every label key the pictures draw: each must be in every language's pictures.toml."""
    return frozenset(
        key for picture_id, layout in _layouts().items() for key in _label_keys(layout, picture_id)
    )


def draw_knee_inset(canvas: Canvas, labels: Mapping[str, str]) -> None:
    """Weizhong (BL40) is behind the knee, below the picture: a small drawing of the knee."""
    box = Box(930, 1040, 1182, 1455)
    canvas.polygon(
        [
            (box.left, box.top),
            (box.right, box.top),
            (box.right, box.bottom),
            (box.left, box.bottom),
        ],
        BONE,
    )
    canvas.polygon(
        [
            (box.left + 3, box.top + 3),
            (box.right - 3, box.top + 3),
            (box.right - 3, box.bottom - 3),
            (box.left + 3, box.bottom - 3),
        ],
        INSET_FILL,
    )
    cx = (box.left + box.right) / 2
    leg = [
        (cx - 52, box.top + 14),
        (cx + 52, box.top + 14),
        (cx + 44, box.top + 66),
        (cx + 50, box.top + 124),
        (cx - 50, box.top + 124),
        (cx - 44, box.top + 66),
    ]
    leg_out = [(x + (4 if x > cx else -4), y) for x, y in leg]
    canvas.polygon(leg_out, OUTLINE)
    canvas.polygon(leg, SKIN)
    crease_y = box.top + 66
    canvas.line([(cx - 30, crease_y), (cx + 30, crease_y)], OUTLINE, 3, round_ends=True)
    canvas.circle((cx, crease_y), DOT_RADIUS + 3, (255, 255, 255))
    canvas.circle((cx, crease_y), DOT_RADIUS, POINT)
    text_width = box.right - box.left - 20
    lines = canvas.wrap(labels["points.bl40"], LABEL_SIZE - 4, text_width)
    lines += canvas.wrap(labels["landmarks.knee"], LABEL_SIZE - 4, text_width)
    fills = [TEXT] * len(lines)
    warning = canvas.wrap(labels[NO_FIRM_PRESSURE], LABEL_SIZE - 4, text_width)
    lines += warning
    fills += [CAUTION] * len(warning)
    text_top = box.top + 136
    height = (LABEL_SIZE - 4) * 1.22 * len(lines)
    if text_top + height > box.bottom - 6:
        raise LayoutError(f"{canvas.language} knee inset text does not fit")
    # Centred in the room under the leg.
    middle = (text_top + box.bottom - 6) / 2
    canvas.text_block(lines, LABEL_SIZE - 4, (cx, middle), "m", fills)
    canvas.obstacles.append(("inset", box))


def render(picture_id: str, language: str, *, strict: bool = True) -> bytes:
    """Draw one picture.

    Args:
        picture_id: one of PICTURES.
        language: one of LANGUAGES.
        strict: raise LayoutError when labels would collide (the default); False draws them
            anyway, to see what needs moving.

    Returns:
        The picture as PNG bytes; the same bytes on every run.
    """
    if picture_id not in PICTURES:
        raise ValueError(f"unknown picture {picture_id!r}; expected one of {PICTURES}")
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; expected one of {LANGUAGES}")
    labels = load_labels(language)
    layout = picture_layout(picture_id)
    canvas = Canvas(language, strict)
    draw_body(canvas)
    for point in layout.pressed:
        draw_press_rings(canvas, point)
    for hand in layout.hands:
        draw_hand(canvas, hand)
    for grip in layout.grips:
        draw_grip(canvas, grip)
    for start, end in layout.arrows:
        draw_arrow(canvas, start, end)
    for centre, radius, clockwise in layout.circles:
        draw_circle_arrow(canvas, centre, radius, clockwise)
    for point in layout.dots:
        draw_dot(canvas, point)
    for point in layout.pressed:
        draw_dot(canvas, point)
    draw_title(canvas, labels, picture_id)
    if layout.note:
        draw_note(canvas, labels, layout.note)
    if layout.inset:
        draw_knee_inset(canvas, labels)
    draw_callouts(canvas, labels, layout.callouts, layout.tags)
    return canvas.finish()


def main(argv: list[str] | None = None) -> int:
    """Write every picture in every language to its path (what `make images` runs)."""
    parser = argparse.ArgumentParser(prog="python -m tools.drawing", description=__doc__)
    parser.parse_args(argv)
    for language in LANGUAGES:
        for picture_id in PICTURES:
            target = path(picture_id, language)
            target.parent.mkdir(parents=True, exist_ok=True)
            data = render(picture_id, language)
            target.write_bytes(data)
            print(f"{target.relative_to(CONTENT_DIR.parent)}  {len(data):,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
