"""/report: a one-page PDF a clinician can read in thirty seconds (reportlab).

Large type on A4: the period, a line that it is self-reported and not a diagnosis, the
daily pain scores as a chart (vector, so it prints sharp), the median and range of each
week with its number of check-ins, the guided sessions (a count of each outcome, then the
newest), the days new leg numbness or weakness or bladder or bowel trouble was reported, and
the answer to the massage safety check. Worded for a doctor, not the user (shared
safety-facts.md, "One safety state": "A record for a doctor"). No chat id and no name: the
user decides whom to give it to.

It always draws one page: long lists become counts and date ranges, the session list gets
the room that is left, and a line that still does not fit is left out (and logged), never
raised. Chinese is set in WenQuanYi Micro Hei, a TrueType font reportlab embeds as a subset,
so the page reads on any PDF reader; English uses Helvetica. Drawing takes tens of
milliseconds: the handler runs it in the drawing threads, off the event loop.
"""

from __future__ import annotations

import io
import itertools
import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date, timedelta
from importlib import resources
from typing import TYPE_CHECKING

from bot.render.chart import CHINESE_FONT_FILE, CHINESE_FONT_PACKAGE
from content import Content, Technique
from content.markup import plain
from storage import Caution
from storage.record import GuidedSessions, Record
from storage.rules.sessions import Session, SessionState

if TYPE_CHECKING:
    # reportlab is imported when the first report is drawn: 12 MB of RSS not spent at start.
    from reportlab.pdfgen.canvas import Canvas

logger = logging.getLogger(__name__)

#: The periods /report offers, in days.
PERIODS = (30, 90)
#: WenQuanYi Micro Hei (Apache-2.0), installed from PyPI by the package named here: its
#: TrueType outlines embed as a subset (reportlab cannot embed CFF/OpenType outlines).
CHINESE_FONT = "WenQuanYiMicroHei"
#: Not embedded: a reader without a Chinese font shows empty boxes. Only if the above is missing.
FALLBACK_CHINESE_FONT = "STSong-Light"

#: A4 in points, as reportlab.lib.pagesizes.A4 gives it.
WIDTH, HEIGHT = 210 * 72 / 25.4, 297 * 72 / 25.4
MARGIN = 56
#: At most this many sessions are listed one per line, newest first (fewer when the page
#: has less room left); all of them are counted by outcome above the list.
LISTED_SESSIONS = 8
#: The reported warning-sign days take at most this many lines: beyond it, a count, the
#: first and last day, and the latest days that fit.
RED_FLAG_LINES = 3
#: More weeks than this and the weekly table goes in two columns side by side.
WEEKS_PER_COLUMN = 7
#: Line height as a multiple of the text size.
LEADING = 1.3
#: Text sizes, in points: large enough to read on paper at arm's length.
TITLE, BODY, SMALL = 20, 13, 11
#: Height of the chart's plotting area, in points.
CHART_HEIGHT = 150.0

_font_lock = threading.Lock()


def chinese_font() -> str:
    """The Chinese font's name, registered with reportlab on first use (about 0.1 s).

    Without its package (an install that skipped requirements.txt) the report still draws,
    in the STSong-Light CID font that readers with Chinese fonts show, and says so in the log.
    """
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    with _font_lock:
        registered = pdfmetrics.getRegisteredFontNames()
        if CHINESE_FONT in registered:
            return CHINESE_FONT
        try:
            font = resources.files(CHINESE_FONT_PACKAGE).joinpath(*CHINESE_FONT_FILE)
            with resources.as_file(font) as path:
                pdfmetrics.registerFont(TTFont(CHINESE_FONT, str(path), subfontIndex=0))
        except (ImportError, OSError):
            logger.exception("report: no %s; Chinese falls back to a CID font", CHINESE_FONT)
            if FALLBACK_CHINESE_FONT not in registered:
                pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_CHINESE_FONT))
            return FALLBACK_CHINESE_FONT
    return CHINESE_FONT


def report_pdf(content: Content, data: Record) -> bytes:
    """The report of a record as PDF bytes, one A4 page, in ``content``'s language."""
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    page = Canvas(buffer, pagesize=(WIDTH, HEIGHT), invariant=True, pageCompression=1)
    chinese = content.language == "zh"
    regular = chinese_font() if chinese else "Helvetica"
    bold = chinese_font() if chinese else "Helvetica-Bold"
    title = content.message("report_title", start=str(data.first), end=str(data.last))
    page.setTitle(title)
    text = _Writer(page, regular, bold)

    text.line(title, TITLE, bold=True)
    text.line(content.message("report_note"), SMALL)
    text.gap(10)

    text.line(content.message("report_chart"), BODY, bold=True)
    if (median := data.checkins.median) is not None:
        # One check-in is a score, not a median (safety-facts.md, "One safety state").
        if data.checkins.count == 1:
            text.line(content.message("report_chart_single", score=f"{median:g}"), SMALL)
        else:
            text.line(
                content.message(
                    "report_chart_median", median=f"{median:g}", count=str(data.checkins.count)
                ),
                SMALL,
            )
        if text.room() >= CHART_HEIGHT + 40:  # with its labels
            text.y = _chart(page, data, median, top=text.y - 12, font=regular)
        else:
            text.dropped += 1
        text.gap(12)
        _weeks_table(content, text, data)
    else:
        text.line(content.message("report_no_checkins"), BODY)
    text.gap(12)

    # What comes after the sessions is measured first: the session list gets what is left.
    red_flags = _red_flags_text(content, data.warning_signs, text)
    caution = content.message("report_caution", state=_caution_state(content, data.caution))
    tail = 12 + text.height(red_flags, BODY) + text.height(caution, BODY)
    _sessions(content, text, data.sessions, reserve=tail)
    text.gap(12)
    text.line(red_flags, BODY)
    text.line(caution, BODY)
    if text.dropped:
        logger.warning("report: %d lines did not fit on the page and were left out", text.dropped)

    page.setFont(regular, SMALL)
    generated = content.message("report_generated", date=str(data.now.date()))
    page.drawString(MARGIN, MARGIN - 20, plain(generated))
    page.showPage()
    page.save()
    return buffer.getvalue()


class _Writer:
    """Lines from the top of the page down to the footer; a line that would run into the
    footer is left out and counted in ``dropped`` instead."""

    def __init__(self, page: Canvas, regular: str, bold: str) -> None:
        self.page, self.regular, self.bold = page, regular, bold
        self.y = HEIGHT - MARGIN
        self.dropped = 0

    def font(self, bold: bool) -> str:
        return self.bold if bold else self.regular

    def room(self) -> float:
        """Points left above the footer."""
        return self.y - MARGIN

    def lines(self, text: str, size: int, *, bold: bool = False) -> list[str]:
        return wrap(plain(text), self.font(bold), size, WIDTH - 2 * MARGIN)

    def height(self, text: str, size: int, *, bold: bool = False) -> float:
        """How tall ``text`` is once wrapped."""
        return len(self.lines(text, size, bold=bold)) * size * LEADING

    def line(self, text: str, size: int, *, bold: bool = False) -> None:
        """Write ``text``, wrapped to the page's width."""
        self.page.setFont(self.font(bold), size)
        for part in self.lines(text, size, bold=bold):
            if self.room() < size * LEADING:
                self.dropped += 1
                continue
            self.y -= size * LEADING
            self.page.drawString(MARGIN, self.y, part)

    def rows(
        self,
        rows: Sequence[Sequence[str]],
        columns: Sequence[float],
        size: int,
        *,
        bold: bool = False,
    ) -> None:
        """Write rows of cells, cell ``i`` of each row at x = ``columns[i]``."""
        self.page.setFont(self.font(bold), size)
        for cells in rows:
            if self.room() < size * LEADING:
                self.dropped += 1
                continue
            self.y -= size * LEADING
            for cell, x in zip(cells, columns, strict=False):
                self.page.drawString(x, self.y, plain(cell))

    def gap(self, points: float) -> None:
        self.y -= min(points, max(self.room(), 0))


_HAN = r"\u2e80-\u9fff\uff00-\uffef"
#: What a line may break between: a Chinese character; a word, with any no-break spaces
#: inside it ("3–9\xa0Dec"); a run of spaces.
#: Punctuation a line never starts with: it stays at the end of the line before.
_NO_LINE_START = frozenset("，。、：；！？）」』》,.:;!?)")
_TOKEN = re.compile(rf"[{_HAN}]|[^\s{_HAN}]+(?:\xa0+[^\s{_HAN}]+)*|\s+")


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """``text`` in lines no wider than ``width`` points: between words, and between any two
    Chinese characters (Chinese has no spaces to break at); never at a no-break space."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    tokens = _TOKEN.findall(text)
    lines, current = [], ""
    for token in tokens:
        candidate = current + token
        if (
            current
            and token[0] not in _NO_LINE_START
            and stringWidth(candidate.rstrip(), font, size) > width
        ):
            lines.append(current.rstrip())
            current = token.lstrip()
        else:
            current = candidate
    if current.strip():
        lines.append(current.rstrip())
    return lines or [""]


def runs(days: Sequence[date]) -> list[tuple[date, date]]:
    """Consecutive days joined into (first, last) runs, oldest first; each day counted once."""
    found: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if found and day - found[-1][1] == timedelta(days=1):
            found[-1] = (found[-1][0], day)
        else:
            found.append((day, day))
    return found


def day_label(content: Content, day: date) -> str:
    """A day without its year, as people write it: "3 Dec", "12月3日"."""
    return content.message("report_day", day=str(day.day), month=_month(content, day))


def run_label(content: Content, first: date, last: date) -> str:
    """A run of days: "3 Dec", "3–9 Dec (7 days)", "28 Nov – 4 Dec (7 days)", with no-break
    spaces so that a line never ends inside one."""
    return _run_label(content, first, last).replace(" ", "\xa0")


def _run_label(content: Content, first: date, last: date) -> str:
    if first == last:
        return day_label(content, first)
    count = str((last - first).days + 1)
    if (first.year, first.month) == (last.year, last.month):
        return content.message(
            "report_days_same_month",
            first=str(first.day),
            last=str(last.day),
            month=_month(content, first),
            count=count,
        )
    return content.message(
        "report_days_range",
        first=day_label(content, first),
        last=day_label(content, last),
        count=count,
    )


def _month(content: Content, day: date) -> str:
    months = content.message("report_months").split()
    # tests/bot/render/test_report_layout.py checks there are twelve; a short list shows numbers.
    return months[day.month - 1] if len(months) == 12 else str(day.month)


def _chart(page: Canvas, data: Record, median: float, *, top: float, font: str) -> float:
    """The daily scores as dots, joined only between consecutive days (a gap is a day
    without a check-in), and the median dashed; returns the y below the chart."""
    height, left, right = CHART_HEIGHT, MARGIN + 28, WIDTH - MARGIN
    bottom = top - height
    days = (data.last - data.first).days or 1

    def x(day: date) -> float:
        return left + (right - left) * (day - data.first).days / days

    def y(score: float) -> float:
        return bottom + height * score / 10

    page.setLineWidth(0.6)
    page.setStrokeGray(0.75)
    page.setFont(font, SMALL)
    for score in (0, 5, 10):
        page.line(left, y(score), right, y(score))
        page.drawRightString(left - 6, y(score) - 4, str(score))
    for day in (data.first, data.first + (data.last - data.first) / 2, data.last):
        page.drawCentredString(x(day), bottom - 16, f"{day:%m-%d}")
    scores = data.checkins.checkins
    page.setStrokeGray(0.45)
    page.setDash(4, 3)
    page.line(left, y(median), right, y(median))
    page.setDash()
    page.setStrokeGray(0)
    page.setLineWidth(1.6)
    for before, after in itertools.pairwise(scores):
        if after.local_date - before.local_date == timedelta(days=1):
            page.line(x(before.local_date), y(before.score), x(after.local_date), y(after.score))
    page.setFillGray(0)
    for checkin in scores:
        page.circle(x(checkin.local_date), y(checkin.score), 3.2, stroke=0, fill=1)
    return bottom - 22


def _weeks_table(content: Content, text: _Writer, data: Record) -> None:
    """Median (with n) and range of each week; past seven weeks, two tables side by side."""
    text.line(content.message("report_weeks"), BODY, bold=True)
    weeks = [
        (
            # A week that began before the period is labelled from the period's first day.
            day_label(content, max(monday, data.first)),
            content.message("report_median", median=f"{week.median:g}", count=str(week.count)),
            f"{week.lowest}–{week.highest}" if week.lowest != week.highest else str(week.lowest),
        )
        for monday, week in data.checkins.weeks()
    ]
    # 90 days touch at most 14 weeks; a longer period shows its newest 14.
    earlier = max(len(weeks) - 2 * WEEKS_PER_COLUMN, 0)
    weeks = weeks[earlier:]
    header = tuple(
        content.message(key) for key in ("report_col_week", "report_col_median", "report_col_range")
    )
    blocks = 1 if len(weeks) <= WEEKS_PER_COLUMN else 2
    per_block = -(-len(weeks) // blocks)
    block_width = (WIDTH - 2 * MARGIN) / blocks
    offsets = (0.0, 80.0, 175.0) if blocks == 2 else (0.0, 150.0, 290.0)
    columns = [MARGIN + b * block_width + o for b in range(blocks) for o in offsets]
    text.rows([header * blocks], columns, SMALL, bold=True)
    table = []
    for i in range(per_block):
        row: list[str] = []
        for b in range(blocks):
            index = b * per_block + i
            row.extend(weeks[index] if index < len(weeks) else ("", "", ""))
        table.append(row)
    text.rows(table, columns, SMALL)
    if earlier:
        text.line(content.message("report_weeks_earlier", count=str(earlier)), SMALL)


def _sessions(content: Content, text: _Writer, sessions: GuidedSessions, *, reserve: float) -> None:
    """Every session counted by outcome, then the newest listed in the room left above
    ``reserve`` points (at most ``LISTED_SESSIONS``), the rest as "and N more"."""
    if not sessions.count:
        text.line(content.message("report_sessions_none"), BODY)
        return
    text.line(content.message("report_sessions", count=str(sessions.count)), BODY, bold=True)
    # The counts are named as the message's placeholders are.
    outcomes = {name: str(count) for name, count in asdict(sessions.outcomes).items()}
    text.line(content.message("report_session_outcomes", **outcomes), SMALL)
    newest = sessions.newest()
    label = content.message("report_sessions_newest")
    row = SMALL * LEADING
    fit = int((text.room() - reserve - text.height(label, SMALL)) // row)
    shown = min(len(newest), LISTED_SESSIONS, max(fit, 0))
    if shown < len(newest):
        shown = max(shown - 1, 0)  # one line for "and N more"
    if shown:
        text.line(label, SMALL)
    for session in newest[:shown]:
        technique = content.technique(session.technique_id)
        name = technique.name if isinstance(technique, Technique) else session.technique_id
        line = content.message(
            "report_session_line",
            date=day_label(content, session.local_date),
            technique=name,
            outcome=_outcome(content, session),
        )
        text.line(line, SMALL)
    if shown < len(newest):
        text.line(content.message("report_more", count=str(len(newest) - shown)), SMALL)


def _red_flags_text(content: Content, days: Sequence[date], text: _Writer) -> str:
    """The reported days as runs of dates; past ``RED_FLAG_LINES`` lines, a count, the first
    and last day, and the latest runs that fit."""
    if not days:
        return content.message("report_red_flags_none")
    found = runs(days)
    separator = content.message("report_separator")
    labels = [run_label(content, first, last) for first, last in found]
    every = content.message("report_red_flags", dates=separator.join(labels))
    if len(text.lines(every, BODY)) <= RED_FLAG_LINES:
        return every
    unique = sorted(set(days))

    def summary(latest: int) -> str:
        return content.message(
            "report_red_flags_many",
            count=str(len(unique)),
            first=run_label(content, unique[0], unique[0]),
            last=run_label(content, unique[-1], unique[-1]),
            dates=separator.join(labels[-latest:]),
        )

    fitting = (
        summary(latest)
        for latest in range(len(labels) - 1, 0, -1)
        if len(text.lines(summary(latest), BODY)) <= RED_FLAG_LINES
    )
    # The latest run alone always fits in practice; if not, the writer drops what overflows.
    return next(fitting, summary(1))


def _outcome(content: Content, session: Session) -> str:
    if session.state is SessionState.DONE:
        key = f"report_felt_{session.feeling.value}" if session.feeling else "report_felt_none"
        return content.message(key)
    if session.state is SessionState.STOPPED:
        return content.message("report_session_stopped")
    if session.state is SessionState.PAIN_STOP:
        return content.message("report_session_pain_stop")
    return content.message("report_session_ended")


def _caution_state(content: Content, caution: Caution | None) -> str:
    """The safety-check answer for a doctor: what the person said, marked self-reported."""
    return content.message(f"report_caution_{caution.value if caution else 'not_taken'}")
