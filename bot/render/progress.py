"""/progress and the weekly look back: the chart's caption and picture, and the week in bars
and words."""

from __future__ import annotations

import statistics
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from telegram import (
    InlineKeyboardMarkup,
)

from bot import callbacks
from bot.render.chart import NUMERIC, Dates, chinese_font_file, progress_chart
from bot.render.common import Reply, callback_button
from content import Content
from storage import Progress
from storage.checkins import compare_weeks
from storage.sessions import SessionCounts


@dataclass(frozen=True)
class Chart:
    """A /progress chart still to send: its caption, and what it shows (``key``: equal keys,
    equal pictures), so a picture already sent can be sent again by its file id."""

    caption: str
    key: Hashable


def progress(
    content: Content, progress: Progress, sessions: SessionCounts | None = None
) -> Chart | Reply:
    """The /progress chart's caption, a one-line summary, or a friendly word when there is
    no data; with a line about guided sessions this week when there was one (counted, never
    a reproach, never days in a row: massage is at most an add-on, not a daily habit).
    Nothing is drawn here: ``progress_picture`` draws, off the event loop."""
    session_line = (
        content.message("progress_sessions", week=str(sessions.this_week))
        if sessions is not None and sessions.this_week
        else None
    )
    if not progress.checkins:
        text = content.message("progress_none")
        return Reply(
            f"{text}\n\n{session_line}" if session_line else text,
            InlineKeyboardMarkup(
                [[callback_button(content.buttons["checkin_open"], callbacks.CHECKIN_ASK)]]
            ),
        )
    median = statistics.median(c.score for c in progress.checkins)
    subscribed = (
        content.message("progress_not_subscribed")
        if progress.days_subscribed is None
        else content.message("progress_subscribed", days=str(progress.days_subscribed))
    )
    caption = content.message(
        "progress_summary",
        count=str(len(progress.checkins)),
        median=f"{median:g}",
        streak=str(progress.streak),
        subscribed=subscribed,
    )
    if session_line:
        caption = f"{caption}\n{session_line}"
    return Chart(caption, (content.language, progress.today, tuple(progress.checkins)))


def progress_picture(content: Content, progress: Progress) -> bytes:
    """The /progress chart as a PNG: tens of milliseconds of CPU, so run it in a thread."""
    return progress_chart(progress.checkins, progress.today, dates=chart_dates(content))


def chart_dates(content: Content) -> Dates:
    """How the charts write a date in this language ("7 Dec", "12月7日"), and the font with
    its characters (Chinese: the one /report embeds)."""

    def label(day: date) -> str:
        month = content.message(f"month_{day.month}")
        return content.message("chart_date", day=str(day.day), month=month)

    if label(date(2000, 12, 7)).isascii():
        return Dates(label)  # Pillow's own font has these letters
    font = chinese_font_file()
    return NUMERIC if font is None else Dates(label, font)


#: A day's score as a bar, 0 to 10 (a day without a check-in is a dot).
SPARK_BARS = "▁▂▃▄▅▆▇█"


def weekly_summary(
    content: Content,
    days: Sequence[date],
    scores: Mapping[date, int],
    before: Sequence[int],
    sessions: int,
) -> Reply:
    """The weekly look back: the week's check-ins as a line of bars, their median (or the
    one score) and, with at least 3 check-ins in each week, how it compares with the week
    before in words (a change only at 2 points or more; never a reproach), the guided
    sessions, and one encouraging line. It never suggests massage."""
    lines = [content.message("weekly_title", first=str(days[0]), last=str(days[-1]))]
    week = [scores[day] for day in days if day in scores]
    spark = "".join(
        SPARK_BARS[min(scores[day] * len(SPARK_BARS) // 11, len(SPARK_BARS) - 1)]
        if day in scores
        else "·"
        for day in days
    )
    if len(week) == 1:
        lines.append(content.message("weekly_checkins_one", score=str(week[0]), spark=spark))
    elif week:
        median = statistics.median(week)
        lines.append(
            content.message(
                "weekly_checkins", count=str(len(week)), median=f"{median:g}", spark=spark
            )
        )
    else:
        lines.append(content.message("weekly_no_checkins"))
    change = compare_weeks(week, before)
    if change is not None:
        lines.append(content.message(f"weekly_trend_{change.value}"))
    if sessions:
        lines.append(content.message("weekly_sessions", count=str(sessions)))
    lines.append(content.message("weekly_cheer"))
    return Reply("\n\n".join(lines))
