"""The /progress and /stats charts: a PNG of the chart size for any check-ins, the same bytes
each time, dates written unambiguously in each language and never cut at the edge."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from PIL import Image

from bot.render import progress as render_progress
from bot.render.chart import HEIGHT, WIDTH, label_left, progress_chart, stats_chart
from content import load
from storage import Checkin, Day, DeliveryCounts, Participation, Stats, SubscriberCounts

TODAY = date(2026, 11, 26)


def _days_back(*scores: int) -> list[Checkin]:
    """One check-in per score, the last one today, each a day before the next."""
    return [
        Checkin(TODAY - timedelta(days=len(scores) - 1 - i), score)
        for i, score in enumerate(scores)
    ]


@pytest.mark.parametrize(
    "checkins",
    [
        pytest.param([], id="none"),
        pytest.param([Checkin(TODAY, 4)], id="one"),
        pytest.param(_days_back(*(i % 11 for i in range(30))), id="thirty"),
        pytest.param([c for c in _days_back(*range(11)) if c.score not in (3, 7)], id="with-gaps"),
    ],
)
def test_renders_a_png_of_the_chart_size(checkins: list[Checkin]) -> None:
    picture = Image.open(io.BytesIO(progress_chart(checkins, TODAY)))

    assert picture.format == "PNG"
    assert picture.size == (WIDTH, HEIGHT)


def test_same_input_gives_the_same_bytes() -> None:
    checkins = _days_back(3, 5, 4, 6)

    assert progress_chart(checkins, TODAY) == progress_chart(list(checkins), TODAY)


@pytest.mark.parametrize(
    "outside",
    [
        pytest.param(Checkin(TODAY - timedelta(days=30), 9), id="day-before-window"),
        pytest.param(Checkin(TODAY - timedelta(days=400), 0), id="long-ago"),
        pytest.param(Checkin(TODAY + timedelta(days=1), 9), id="after-today"),
    ],
)
def test_checkins_outside_the_window_are_ignored(outside: Checkin) -> None:
    recent = _days_back(2, 3, 8)

    assert progress_chart([outside, *recent], TODAY) == progress_chart(recent, TODAY)


def test_the_window_follows_days() -> None:
    week_ago = Checkin(TODAY - timedelta(days=7), 9)
    recent = _days_back(2, 3)

    assert progress_chart([week_ago, *recent], TODAY, days=7) == progress_chart(
        recent, TODAY, days=7
    )
    assert progress_chart([week_ago, *recent], TODAY, days=8) != progress_chart(
        recent, TODAY, days=8
    )


def test_a_window_of_no_days_is_refused() -> None:
    with pytest.raises(ValueError, match="days"):
        progress_chart([], TODAY, days=0)


# The /stats chart ------------------------------------------------------------------------


def _stats(*days: tuple[int, int]) -> Stats:
    """Figures whose last days had these (sent, check-ins), the last one today."""
    series = tuple(
        Day(TODAY - timedelta(days=len(days) - 1 - i), sent=sent, failed=0, checkins=checkins)
        for i, (sent, checkins) in enumerate(days)
    )
    return Stats(
        now=datetime(2026, 11, 26, 12, tzinfo=UTC),
        today=TODAY,
        subscribers=SubscriberCounts(0, 0, 0, 0),
        deliveries_today=DeliveryCounts(),
        days=series,
        feedback=(),
        checkins=Participation(0, 0, 0, 0),
    )


@pytest.mark.parametrize(
    "stats",
    [
        pytest.param(_stats(*[(0, 0)] * 30), id="nothing"),
        pytest.param(_stats((5, 1)), id="one-day"),
        pytest.param(_stats(*[(900_000 + i * 1000, i * 37) for i in range(30)]), id="a-million"),
    ],
)
def test_stats_chart_is_a_png_of_the_chart_size(stats: Stats) -> None:
    picture = Image.open(io.BytesIO(stats_chart(stats)))

    assert picture.format == "PNG"
    assert picture.size == (WIDTH, HEIGHT)


def test_stats_chart_same_figures_same_bytes() -> None:
    days = [(i * 10, i % 4) for i in range(30)]

    assert stats_chart(_stats(*days)) == stats_chart(_stats(*days))
    assert stats_chart(_stats(*days)) != stats_chart(_stats(*days[:-1], (0, 0)))


@pytest.mark.parametrize(
    ("language", "day", "label"),
    [
        pytest.param("en", date(2026, 12, 7), "7 Dec", id="en"),
        pytest.param("en", date(2027, 1, 31), "31 Jan", id="en-january"),
        pytest.param("zh", date(2026, 12, 7), "12月7日", id="zh"),
    ],
)
def test_dates_are_written_unambiguously(language: str, day: date, label: str) -> None:
    """Not "12/7", which reads as 12 July in much of the world."""
    assert render_progress.chart_dates(load(language)).label(day) == label


def test_chinese_dates_come_in_a_font_that_has_them() -> None:
    dates = render_progress.chart_dates(load("zh"))
    assert dates.font_file is not None and dates.font_file.endswith("wqy-microhei.ttc")
    assert render_progress.chart_dates(load("en")).font_file is None  # Pillow's own font has these


@pytest.mark.parametrize("language", ["en", "zh"])
def test_charts_draw_in_each_language(language: str) -> None:
    dates = render_progress.chart_dates(load(language))
    picture = Image.open(io.BytesIO(progress_chart(_days_back(3, 5, 4), TODAY, dates=dates)))
    assert picture.size == (WIDTH, HEIGHT)
    stats = Image.open(io.BytesIO(stats_chart(_stats((5, 1), (7, 2)), dates)))
    assert stats.size == (WIDTH, HEIGHT)


@pytest.mark.parametrize(
    ("width", "centre", "left"),
    [
        pytest.param(100, 500, 450, id="centred"),
        pytest.param(100, 20, 0, id="moved-in-at-the-left-edge"),
        pytest.param(100, 990, 900, id="moved-in-at-the-right-edge"),
    ],
)
def test_a_date_label_is_never_cut_at_the_edge(width: float, centre: float, left: float) -> None:
    assert label_left(width, centre, 1000) == left
