"""bot/render/report.py without Telegram: days as runs, labels in both languages, the page that
always fits (summarised, then degraded, never raised), also under ``python -O``."""

from __future__ import annotations

import ast
import io
import logging
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from bot.render import report
from bot.render.report import MARGIN, RED_FLAG_LINES, report_pdf, run_label, runs
from content import Content, load
from storage import Caution, Checkin
from storage.record import GuidedSessions, Record, Scores
from storage.rules.sessions import Session
from tests.helpers import OUTCOMES

ROOT = Path(__file__).resolve().parents[3]
TODAY = date(2026, 12, 7)


def fullest(days: int = 90, red_flags: list[date] | None = None) -> Record:
    """``days`` days to TODAY with a check-in, a session (every outcome in turn) and, unless
    given, a warning sign every day."""
    first = TODAY - timedelta(days=days - 1)
    every = [first + timedelta(days=i) for i in range(days)]
    sessions = [
        Session(
            id=i + 1,
            chat_id=1,
            technique_id=("kneading", "pushing", "pressing", "grasping")[i % 4],
            language="en",
            local_date=day,
            started_at=datetime.combine(day, datetime.min.time(), UTC),
            state=OUTCOMES[i % len(OUTCOMES)][0],
            feeling=OUTCOMES[i % len(OUTCOMES)][1],
        )
        for i, day in enumerate(every)
    ]
    return Record(
        chat_id=1,
        first=first,
        last=TODAY,
        today=TODAY,
        now=datetime(2026, 12, 7, 9, tzinfo=UTC),
        checkins=Scores.of(Checkin(day, i % 11) for i, day in enumerate(every)),
        sessions=GuidedSessions(tuple(sessions)),
        caution=Caution.CLEARED,
        warning_signs=tuple(every if red_flags is None else red_flags),
    )


def read(pdf: bytes) -> tuple[int, str]:
    """Pages and text, with all white space removed (Chinese lines break anywhere)."""
    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), "".join("".join(p.extract_text().split()) for p in reader.pages)


def squeezed(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(params=["en", "zh"])
def language(request: pytest.FixtureRequest) -> Content:
    return load(request.param)


def test_consecutive_days_become_runs() -> None:
    days = [date(2026, 12, d) for d in (9, 3, 4, 5, 6, 7, 8, 12, 12, 15)]
    assert runs(days) == [
        (date(2026, 12, 3), date(2026, 12, 9)),
        (date(2026, 12, 12), date(2026, 12, 12)),
        (date(2026, 12, 15), date(2026, 12, 15)),
    ]
    assert runs([]) == []


@pytest.mark.parametrize(
    ("language", "first", "last", "label"),
    [
        pytest.param("en", date(2026, 12, 3), date(2026, 12, 3), "3 Dec", id="en-day"),
        pytest.param("en", date(2026, 12, 3), date(2026, 12, 9), "3–9 Dec (7 days)", id="en-run"),
        pytest.param(
            "en", date(2026, 11, 28), date(2026, 12, 4), "28 Nov – 4 Dec (7 days)", id="en-months"
        ),
        pytest.param("zh", date(2026, 12, 3), date(2026, 12, 3), "12月3日", id="zh-day"),
        pytest.param(
            "zh", date(2026, 12, 3), date(2026, 12, 9), "12月3日至9日（7 天）", id="zh-run"
        ),
        pytest.param(
            "zh", date(2026, 11, 28), date(2026, 12, 4), "11月28日至12月4日（7 天）", id="zh-months"
        ),
    ],
)
def test_a_run_reads_as_people_write_dates(
    language: str, first: date, last: date, label: str
) -> None:
    # No-break spaces keep a run on one line.
    assert run_label(load(language), first, last).replace("\xa0", " ") == label


def test_every_language_names_twelve_months(language: Content) -> None:
    assert len(language.message("report_months").split()) == 12


def test_the_fullest_90_days_fit_one_page(language: Content) -> None:
    pages, text = read(report_pdf(language, fullest()))
    assert pages == 1
    every = run_label(language, TODAY - timedelta(days=89), TODAY)
    assert squeezed(language.message("report_red_flags", dates=every)) in text
    assert squeezed(language.message("report_sessions", count="90")) in text
    assert squeezed(language.message("report_generated", date=str(TODAY))) in text


def test_scattered_warning_signs_become_a_count_and_the_latest(language: Content) -> None:
    """45 days, none next to another: the count, first and last day, and the latest."""
    scattered = [TODAY - timedelta(days=2 * i) for i in range(45)]
    data = fullest(red_flags=scattered)
    font = report.chinese_font() if language.language == "zh" else "Helvetica"
    writer = report._Writer(Canvas(io.BytesIO(), pagesize=A4), font, font)
    line = report._red_flags_text(language, data.warning_signs, writer)
    assert len(writer.lines(line, report.BODY)) <= RED_FLAG_LINES
    head = language.message(
        "report_red_flags_many",
        count="45",
        first=run_label(language, min(scattered), min(scattered)),
        last=run_label(language, TODAY, TODAY),
        dates="@",
    ).split("@")[0]
    assert line.startswith(head)
    assert line.endswith(run_label(language, TODAY, TODAY))
    pages, text = read(report_pdf(language, data))
    assert pages == 1
    assert squeezed(head) in text


def test_a_longer_period_than_offered_still_draws_one_page(
    language: Content, caplog: pytest.LogCaptureFixture
) -> None:
    """A year of everything (no period offers it): the newest weeks, counts, one page."""
    caplog.set_level(logging.WARNING)
    pages, text = read(report_pdf(language, fullest(days=365)))
    assert pages == 1
    assert squeezed(language.message("report_weeks_earlier", count=str(53 - 14))) in text
    assert squeezed(language.message("report_sessions", count="365")) in text
    state = language.message("report_caution_cleared")
    assert squeezed(language.message("report_caution", state=state)) in text


def test_lines_past_the_footer_are_left_out_and_counted() -> None:
    writer = report._Writer(Canvas(io.BytesIO(), pagesize=A4), "Helvetica", "Helvetica-Bold")
    for _ in range(100):
        writer.line("a line", report.BODY)
    writer.rows([["a", "b"]] * 10, [MARGIN, MARGIN + 100], report.SMALL)
    writer.gap(50)
    assert writer.dropped > 0
    assert writer.y >= MARGIN


def test_no_layout_rule_is_an_assert() -> None:
    """``python -O`` strips asserts: the page must not depend on one."""
    tree = ast.parse((ROOT / "bot" / "render" / "report.py").read_text(encoding="utf-8"))
    assert not [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Assert)]


DRAW_BOTH = """
import io, sys
from pypdf import PdfReader
from bot.render.report import report_pdf
from content import load
from tests.bot.render.test_report_layout import fullest
for language in ("en", "zh"):
    pdf = report_pdf(load(language), fullest())
    print(language, len(PdfReader(io.BytesIO(pdf)).pages))
"""


@pytest.mark.slow
def test_the_fullest_report_draws_under_python_O() -> None:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-O", "-c", DRAW_BOTH],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["en", "1", "zh", "1"]


def test_without_the_font_package_chinese_still_draws(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """An install that skipped requirements.txt: the CID font, and an error in the log."""
    monkeypatch.setattr(report, "CHINESE_FONT", "NotInstalled")
    monkeypatch.setattr(report, "CHINESE_FONT_PACKAGE", "no_such_font_package")
    assert report.chinese_font() == report.FALLBACK_CHINESE_FONT
    pages, text = read(report_pdf(load("zh"), fullest()))
    assert pages == 1
    assert "腰痛记录" in text
