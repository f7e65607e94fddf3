"""The /progress and /stats charts: pain scores, and tips and check-ins per day, drawn as PNGs
(Pillow, no Telegram)."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from typing import TYPE_CHECKING, Any

from storage.record import Scores
from storage.rules.checkins import MAX_SCORE, MIN_SCORE, Checkin
from storage.stats import Stats

if TYPE_CHECKING:
    # Pillow is imported when the first chart is drawn, not at start.
    from PIL import ImageDraw

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


@dataclass(frozen=True)
class Dates:
    """How the charts write a date ("7 Dec", "12月7日"), and the font file that has its
    characters (None: Pillow's own, which has Latin letters and digits)."""

    label: Callable[[date], str]
    font_file: str | None = None


#: The Chinese font, which /report embeds too: WenQuanYi Micro Hei (paperang-p2-fonts-cjk).
CHINESE_FONT_PACKAGE = "paperang_p2_fonts_cjk"
CHINESE_FONT_FILE = ("fonts", "wqy-microhei.ttc")


def chinese_font_file() -> str | None:
    """The Chinese font's file, or None if its package is not installed."""
    try:
        font = resources.files(CHINESE_FONT_PACKAGE).joinpath(*CHINESE_FONT_FILE)
    except ImportError:
        return None
    return str(font) if font.is_file() else None


#: Digits only, in Pillow's own font: what the charts wrote before they had words.
NUMERIC = Dates(lambda day: f"{day.month}/{day.day}")


def _font(dates: Dates, size: int) -> Any:
    from PIL import ImageFont

    if dates.font_file is None:
        return ImageFont.load_default(size=size)
    return ImageFont.truetype(dates.font_file, size)


def label_left(width: float, centre: float, room: float) -> float:
    """Where a label ``width`` wide starts when centred under ``centre``, moved in so it is
    never cut at either edge of a picture ``room`` wide."""
    return min(max(centre - width / 2, 0.0), room - width)


def _date_label(draw: Any, dates: Dates, font: Any, day: date, centre: float, top: float) -> None:
    text = dates.label(day)
    left = label_left(font.getlength(text), centre, WIDTH * SCALE)
    draw.text((left, top), text, fill=LABEL, font=font, anchor="lt")


def progress_chart(
    checkins: Sequence[Checkin], today: date, *, days: int = 30, dates: Dates = NUMERIC
) -> bytes:
    """Draw the check-ins of the ``days`` local days ending with ``today`` as a PNG.

    Only scores and dates appear in the picture, the dates as ``dates`` writes them ("7 Dec",
    "12月7日"), never cut at the edge; the words go in the caption.

    Args:
        checkins: check-ins in any order; those outside the window are ignored, and of two on
            one day the later in the sequence counts.
        today: the last day shown, in the user's timezone.
        days: how many days the chart spans, today included.
        dates: how a date is written, and in which font.

    Returns:
        The PNG file's bytes; the same input always gives the same bytes.
    """
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days}")
    first = today - timedelta(days=days - 1)
    window = Scores.of(checkins).between(first, today)
    scores = window.by_day

    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (WIDTH * SCALE, HEIGHT * SCALE), BACKGROUND)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=FONT_SIZE * SCALE)
    date_font = _font(dates, FONT_SIZE * SCALE)
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
        _date_label(draw, dates, date_font, day, x(day), (bottom + 16) * SCALE)

    if window.median is not None:
        _dashed(draw, y(window.median))
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


#: The /stats chart has a scale on each side, sent tips left and check-ins right, with labels
#: up to four characters wide ("800k").
STATS_MARGIN = 120
#: Horizontal grid lines above the baseline; each scale is a round number per line.
STATS_GRID_LINES = 5
#: The share of a day's width its bar takes.
BAR_SHARE = 0.7
SENT = SCORE
CHECKINS = MEDIAN


def stats_chart(stats: Stats, dates: Dates = NUMERIC) -> bytes:
    """Draw the tips sent per day as bars and the check-ins per day as a line, as a PNG.

    Each series has its own scale: the sent tips' on the left, the check-ins' on the right,
    each in its series' colour. Only counts and dates appear in the picture (the dates as
    ``dates`` writes them), as in ``progress_chart``: the words go in the caption.

    Args:
        stats: the figures; its ``days`` are drawn, oldest on the left.

    Returns:
        The PNG file's bytes; the same figures always give the same bytes.
    """
    days = stats.days
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (WIDTH * SCALE, HEIGHT * SCALE), BACKGROUND)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=FONT_SIZE * SCALE)
    date_font = _font(dates, FONT_SIZE * SCALE)
    left, right = STATS_MARGIN + PLOT_PADDING, WIDTH - STATS_MARGIN - PLOT_PADDING
    top, bottom = MARGIN_TOP, HEIGHT - MARGIN_BOTTOM
    slot = (right - left) / max(len(days), 1)
    sent_step = _step(max((day.sent for day in days), default=0))
    checkin_step = _step(max((day.checkins for day in days), default=0))

    def x(index: int) -> float:
        return (left + slot * (index + 0.5)) * SCALE

    def y(value: float, step: int) -> float:
        return (bottom - (bottom - top) * value / (step * STATS_GRID_LINES)) * SCALE

    for line in range(STATS_GRID_LINES + 1):
        level = y(line * sent_step, sent_step)
        draw.line(
            [(STATS_MARGIN * SCALE, level), ((WIDTH - STATS_MARGIN) * SCALE, level)],
            fill=GRID,
            width=GRID_WIDTH * SCALE,
        )
        draw.text(
            ((STATS_MARGIN - 16) * SCALE, level),
            _compact(line * sent_step),
            fill=SENT,
            font=font,
            anchor="rm",
        )
        draw.text(
            ((WIDTH - STATS_MARGIN + 16) * SCALE, level),
            _compact(line * checkin_step),
            fill=CHECKINS,
            font=font,
            anchor="lm",
        )
    for back in range(0, len(days), LABEL_EVERY):
        index = len(days) - 1 - back
        _date_label(draw, dates, date_font, days[index].day, x(index), (bottom + 16) * SCALE)

    half = slot * BAR_SHARE / 2 * SCALE
    for index, day in enumerate(days):
        if day.sent:
            draw.rectangle(
                [x(index) - half, y(day.sent, sent_step), x(index) + half, bottom * SCALE],
                fill=SENT,
            )
    points = [(x(index), y(day.checkins, checkin_step)) for index, day in enumerate(days)]
    if len(points) > 1:
        draw.line(points, fill=CHECKINS, width=LINE_WIDTH * SCALE, joint="curve")
    radius = DOT_RADIUS * SCALE
    for cx, cy in points:
        draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], fill=CHECKINS)

    picture = image.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS)
    output = io.BytesIO()
    picture.save(output, format="PNG", optimize=True)
    return output.getvalue()


def _step(maximum: int) -> int:
    """A round value per grid line (1, 2 or 5 times a power of ten) that fits ``maximum``."""
    need = max(1, -(-maximum // STATS_GRID_LINES))
    magnitude = 1
    while magnitude * 10 < need:
        magnitude *= 10
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= need)


def _compact(value: int) -> str:
    """A scale label short enough for the margin: 800, 5000, 20k, 1.5M."""
    if value < 10_000:
        return str(value)
    if value < 1_000_000:
        return f"{value / 1000:g}k"
    return f"{value / 1_000_000:g}M"
