"""The /progress chart: a user's recent pain scores drawn as a PNG (Pillow, no Telegram)."""

from __future__ import annotations

import io
import statistics
from collections.abc import Sequence
from datetime import date, timedelta

from PIL import Image, ImageDraw, ImageFont

from storage.checkins import MAX_SCORE, MIN_SCORE, Checkin

#: Size of the picture sent, in pixels: 16:9 fills a phone's width without cropping.
WIDTH = 1200
HEIGHT = 675
#: Drawn this many times larger, then scaled down: Pillow's lines and dots are not anti-aliased.
SCALE = 2
#: Room around the plot for the axis labels (final pixels).
MARGIN_LEFT = 80
MARGIN_RIGHT = 40
MARGIN_TOP = 40
MARGIN_BOTTOM = 70
#: Keeps the first and last day's dots clear of the plot's edges.
PLOT_PADDING = 24
FONT_SIZE = 30
LINE_WIDTH = 4
DOT_RADIUS = 8
GRID_WIDTH = 2
MEDIAN_WIDTH = 3
MEDIAN_DASH = 18
MEDIAN_GAP = 12
#: Every this many days back from today gets a date label.
LABEL_EVERY = 5
GRID_STEP = 2

BACKGROUND = (255, 255, 255)
GRID = (225, 228, 232)
LABEL = (70, 75, 82)
SCORE = (31, 119, 180)
MEDIAN = (230, 126, 34)


def progress_chart(checkins: Sequence[Checkin], today: date, *, days: int = 30) -> bytes:
    """Draw the check-ins of the ``days`` local days ending with ``today`` as a PNG.

    Only numbers appear in the picture (scores and ``M/D`` dates): the runtime has no font
    for every language the bot speaks, so the words go in the caption.

    Args:
        checkins: check-ins in any order; those outside the window are ignored, and of two on
            one day the later in the sequence counts.
        today: the last day shown, in the user's timezone.
        days: how many days the chart spans, today included.

    Returns:
        The PNG file's bytes; the same input always gives the same bytes.
    """
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days}")
    first = today - timedelta(days=days - 1)
    scores = {c.local_date: c.score for c in checkins if first <= c.local_date <= today}

    image = Image.new("RGB", (WIDTH * SCALE, HEIGHT * SCALE), BACKGROUND)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=FONT_SIZE * SCALE)
    left, right = MARGIN_LEFT + PLOT_PADDING, WIDTH - MARGIN_RIGHT - PLOT_PADDING
    top, bottom = MARGIN_TOP, HEIGHT - MARGIN_BOTTOM

    def x(day: date) -> float:
        if days == 1:
            return (left + right) / 2 * SCALE
        return (left + (right - left) * (day - first).days / (days - 1)) * SCALE

    def y(score: float) -> float:
        share = (score - MIN_SCORE) / (MAX_SCORE - MIN_SCORE)
        return (bottom - (bottom - top) * share) * SCALE

    for score in range(MIN_SCORE, MAX_SCORE + 1, GRID_STEP):
        draw.line(
            [(MARGIN_LEFT * SCALE, y(score)), ((WIDTH - MARGIN_RIGHT) * SCALE, y(score))],
            fill=GRID,
            width=GRID_WIDTH * SCALE,
        )
        draw.text(
            ((MARGIN_LEFT - 16) * SCALE, y(score)), str(score), fill=LABEL, font=font, anchor="rm"
        )
    for back in range(0, days, LABEL_EVERY):
        day = today - timedelta(days=back)
        draw.text(
            (x(day), (bottom + 16) * SCALE),
            f"{day.month}/{day.day}",
            fill=LABEL,
            font=font,
            anchor="mt",
        )

    if scores:
        _dashed(draw, y(statistics.median(scores.values())))
    for day, score in sorted(scores.items()):
        following = day + timedelta(days=1)
        # Only neighbouring days are joined: a day without a check-in stays a visible gap.
        if following in scores:
            draw.line(
                [(x(day), y(score)), (x(following), y(scores[following]))],
                fill=SCORE,
                width=LINE_WIDTH * SCALE,
                joint="curve",
            )
    radius = DOT_RADIUS * SCALE
    for day, score in scores.items():
        cx, cy = x(day), y(score)
        draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], fill=SCORE)

    picture = image.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS)
    output = io.BytesIO()
    picture.save(output, format="PNG", optimize=True)
    return output.getvalue()


def _dashed(draw: ImageDraw.ImageDraw, level: float) -> None:
    """Draw the median as a dashed line across the plot at height ``level``."""
    start, end = MARGIN_LEFT * SCALE, (WIDTH - MARGIN_RIGHT) * SCALE
    period = (MEDIAN_DASH + MEDIAN_GAP) * SCALE
    for dash in range(start, end, period):
        draw.line(
            [(dash, level), (min(dash + MEDIAN_DASH * SCALE, end), level)],
            fill=MEDIAN,
            width=MEDIAN_WIDTH * SCALE,
        )
