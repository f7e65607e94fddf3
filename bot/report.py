"""/report: a one-page PDF a clinician can read in thirty seconds (reportlab).

Large type on A4: the period, a line that it is self-reported and not a diagnosis, the
daily pain scores as a chart (vector, so it prints sharp), the median and range of each
week, the guided sessions and how each felt, and the answer to the massage safety check.
No chat id and no name: the user decides whom to give it to.

Chinese uses STSong-Light, one of the CID fonts every PDF reader carries, so nothing large
is embedded; English uses Helvetica. Drawing takes tens of milliseconds: the handler runs
it in the drawing threads, off the event loop.
"""

from __future__ import annotations

import io
import itertools
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from content import Content, Technique
from content.markup import plain
from storage import Caution, Checkin
from storage.session import Session, SessionState

#: The periods /report offers, in days.
PERIODS = (30, 90)
CHINESE_FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(CHINESE_FONT))

WIDTH, HEIGHT = A4
MARGIN = 56
#: Sessions listed one per line; the rest are counted (the page holds 90 days' weeks and
#: this many; tests/e2e/test_report.py fills it).
LISTED_SESSIONS = 6
#: Line height as a multiple of the text size.
LEADING = 1.3
#: Text sizes, in points: large enough to read on paper at arm's length.
TITLE, BODY, SMALL = 20, 13, 11


@dataclass(frozen=True)
class ReportData:
    """What one report shows, already limited to its period."""

    first: date
    last: date
    checkins: Sequence[Checkin]
    sessions: Sequence[Session]
    caution: Caution | None
    #: Dates the check-in's warning-signs button was pressed.
    red_flags: Sequence[date]
    generated: datetime


def report_pdf(content: Content, data: ReportData) -> bytes:
    """The report as PDF bytes, one A4 page, in ``content``'s language."""
    buffer = io.BytesIO()
    page = Canvas(buffer, pagesize=A4, invariant=True, pageCompression=1)
    regular = CHINESE_FONT if content.language == "zh" else "Helvetica"
    bold = CHINESE_FONT if content.language == "zh" else "Helvetica-Bold"
    page.setTitle(content.message("report_title", start=str(data.first), end=str(data.last)))
    text = _Writer(page, regular, bold)

    text.line(
        content.message("report_title", start=str(data.first), end=str(data.last)), TITLE, bold=True
    )
    text.line(content.message("report_note"), SMALL)
    text.gap(10)

    text.line(content.message("report_chart"), BODY, bold=True)
    if data.checkins:
        text.y = _chart(page, data, top=text.y - 6, font=regular)
    else:
        text.line(content.message("report_no_checkins"), BODY)
    text.gap(12)

    text.line(content.message("report_weeks"), BODY, bold=True)
    weeks = _weeks(data)
    if weeks:
        columns = (MARGIN, MARGIN + 150, MARGIN + 270, MARGIN + 370)
        headers = (
            "report_col_week",
            "report_col_checkins",
            "report_col_median",
            "report_col_range",
        )
        text.row([content.message(h) for h in headers], columns, SMALL, bold=True)
        for start, scores in weeks:
            low, high = min(scores), max(scores)
            text.row(
                [str(start), str(len(scores)), f"{statistics.median(scores):g}", f"{low}–{high}"],
                columns,
                SMALL,
            )
    else:
        text.line(content.message("report_no_checkins"), BODY)
    text.gap(12)

    if data.sessions:
        text.line(
            content.message("report_sessions", count=str(len(data.sessions))), BODY, bold=True
        )
        for session in data.sessions[:LISTED_SESSIONS]:
            technique = content.technique(session.technique_id)
            name = technique.name if isinstance(technique, Technique) else session.technique_id
            text.line(f"{session.local_date}  {name}: {_outcome(content, session)}", SMALL)
        if len(data.sessions) > LISTED_SESSIONS:
            more = len(data.sessions) - LISTED_SESSIONS
            text.line(content.message("report_more", count=str(more)), SMALL)
    else:
        text.line(content.message("report_sessions_none"), BODY)
    text.gap(12)

    if data.red_flags:
        days = ", ".join(str(day) for day in data.red_flags)
        text.line(content.message("report_red_flags", dates=days), BODY, bold=True)
    else:
        text.line(content.message("report_red_flags_none"), BODY)
    state = _caution_state(content, data.caution)
    text.line(content.message("report_caution", state=state), BODY)
    # The fullest report (90 days, every session listed that fits) ends above the footer.
    assert text.y > MARGIN, f"the report runs {MARGIN - text.y:.0f} pt into the footer"

    page.setFont(regular, SMALL)
    generated = content.message("report_generated", date=str(data.generated.date()))
    page.drawString(MARGIN, MARGIN - 20, generated)
    page.showPage()
    page.save()
    return buffer.getvalue()


class _Writer:
    """Lines from the top of the page down."""

    def __init__(self, page: Canvas, regular: str, bold: str) -> None:
        self.page, self.regular, self.bold = page, regular, bold
        self.y = HEIGHT - MARGIN

    def line(self, text: str, size: int, *, bold: bool = False) -> None:
        """Write ``text``, wrapped to the page's width."""
        font = self.bold if bold else self.regular
        self.page.setFont(font, size)
        for part in wrap(plain(text), font, size, WIDTH - 2 * MARGIN):
            self.y -= size * LEADING
            self.page.drawString(MARGIN, self.y, part)

    def row(
        self, cells: Sequence[str], columns: Sequence[float], size: int, *, bold: bool = False
    ) -> None:
        self.y -= size * LEADING
        self.page.setFont(self.bold if bold else self.regular, size)
        for cell, x in zip(cells, columns, strict=True):
            self.page.drawString(x, self.y, plain(cell))

    def gap(self, points: float) -> None:
        self.y -= points


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """``text`` in lines no wider than ``width`` points: between words, and between any two
    Chinese characters (Chinese has no spaces to break at)."""
    tokens = re.findall(r"[\u2e80-\u9fff\uff00-\uffef]|[^\s\u2e80-\u9fff\uff00-\uffef]+|\s+", text)
    lines, current = [], ""
    for token in tokens:
        candidate = current + token
        if current and pdfmetrics.stringWidth(candidate.rstrip(), font, size) > width:
            lines.append(current.rstrip())
            current = token.lstrip()
        else:
            current = candidate
    if current.strip():
        lines.append(current.rstrip())
    return lines or [""]


def _chart(page: Canvas, data: ReportData, *, top: float, font: str) -> float:
    """The daily scores as dots, joined only between consecutive days (a gap is a day
    without a check-in), and the median dashed; returns the y below the chart."""
    height, left, right = 150.0, MARGIN + 28, WIDTH - MARGIN
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
    scores = sorted(data.checkins, key=lambda c: c.local_date)
    median = statistics.median(c.score for c in scores)
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


def _weeks(data: ReportData) -> list[tuple[date, list[int]]]:
    """Scores by week, Monday first, oldest week first."""
    weeks: dict[date, list[int]] = {}
    for checkin in data.checkins:
        monday = checkin.local_date - timedelta(days=checkin.local_date.weekday())
        weeks.setdefault(monday, []).append(checkin.score)
    return sorted(weeks.items())


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
    if caution is None:
        return plain(content.message("caution_not_taken"))
    return plain(content.message(f"caution_state_{caution.value}"))
