"""/progress and the weekly look back: the chart's caption and picture, and the week in bars
and words."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date

from telegram import (
    InlineKeyboardMarkup,
)

from bot import callbacks
from bot.render.chart import NUMERIC, Dates, chinese_font_file, progress_chart
from bot.render.common import Reply, app_page, callback_button, webapp_button
from content import Content
from storage.record import LookBack, Record


@dataclass(frozen=True)
class Chart:
    """A /progress chart still to send: its caption, and what it shows (``key``: equal keys,
    equal pictures), so a picture already sent can be sent again by its file id."""

    caption: str
    key: Hashable
    keyboard: InlineKeyboardMarkup | None = None


#: The Mini App's progress page.
PROGRESS_PAGE = "progress.html"


def progress(content: Content, record: Record, app: str | None = None) -> Chart | Reply:
    """The /progress chart's caption, a one-line summary, or a friendly word when there is
    no data; with a line about guided sessions this week when there was one (counted, never
    a reproach, never days in a row: massage is at most an add-on, not a daily habit).
    Nothing is drawn here: ``progress_picture`` draws, off the event loop. With the Mini
    App on (``app``, its address), a button opens its progress page."""
    opens = (
        [[webapp_button(content.buttons["progress_open_app"], app_page(app, PROGRESS_PAGE))]]
        if app is not None
        else []
    )
    sessions = record.session_counts
    session_line = (
        content.message("progress_sessions", week=str(sessions.this_week))
        if sessions.this_week
        else None
    )
    scores = record.checkins
    if scores.median is None:
        text = content.message("progress_none")
        return Reply(
            f"{text}\n\n{session_line}" if session_line else text,
            InlineKeyboardMarkup(
                [[callback_button(content.buttons["checkin_open"], callbacks.CHECKIN_ASK)], *opens]
            ),
        )
    subscribed = (
        content.message("progress_not_subscribed")
        if record.days_subscribed is None
        else content.message("progress_subscribed", days=str(record.days_subscribed))
    )
    caption = content.message(
        "progress_summary",
        count=str(scores.count),
        median=f"{scores.median:g}",
        streak=str(record.streak),
        subscribed=subscribed,
    )
    if session_line:
        caption = f"{caption}\n{session_line}"
    return Chart(
        caption,
        (content.language, record.today, scores.checkins),
        InlineKeyboardMarkup(opens) if opens else None,
    )


def progress_picture(content: Content, record: Record) -> bytes:
    """The /progress chart as a PNG: tens of milliseconds of CPU, so run it in a thread."""
    return progress_chart(
        record.checkins.checkins, record.last, days=record.days, dates=chart_dates(content)
    )


def date_label(content: Content, day: date) -> str:
    """A day as the charts and the Mini App's pages write it in this language: "7 Dec",
    "12月7日" (never 12/7, which reads as July in half the world)."""
    month = content.message(f"month_{day.month}")
    return content.message("chart_date", day=str(day.day), month=month)


def chart_dates(content: Content) -> Dates:
    """How the charts write a date in this language (``date_label``), and the font with
    its characters (Chinese: the one /report embeds)."""

    def label(day: date) -> str:
        return date_label(content, day)

    if label(date(2000, 12, 7)).isascii():
        return Dates(label)  # Pillow's own font has these letters
    font = chinese_font_file()
    return NUMERIC if font is None else Dates(label, font)


#: A day's score as a bar, 0 to 10 (a day without a check-in is a dot).
SPARK_BARS = "▁▂▃▄▅▆▇█"


def weekly_summary(content: Content, look_back: LookBack) -> Reply:
    """The weekly look back: the week's check-ins as a line of bars, their median (or the
    one score) and, with at least 3 check-ins in each week, how it compares with the week
    before in words (a change only at 2 points or more; never a reproach), the guided
    sessions, and one encouraging line. It never suggests massage."""
    days, week = look_back.days, look_back.week
    lines = [content.message("weekly_title", first=str(days[0]), last=str(days[-1]))]
    scores = week.by_day
    spark = "".join(
        SPARK_BARS[min(scores[day] * len(SPARK_BARS) // 11, len(SPARK_BARS) - 1)]
        if day in scores
        else "·"
        for day in days
    )
    if week.count == 1:
        lines.append(content.message("weekly_checkins_one", score=str(week.scores[0]), spark=spark))
    elif week.median is not None:
        lines.append(
            content.message(
                "weekly_checkins", count=str(week.count), median=f"{week.median:g}", spark=spark
            )
        )
    else:
        lines.append(content.message("weekly_no_checkins"))
    if look_back.trend is not None:
        lines.append(content.message(f"weekly_trend_{look_back.trend.value}"))
    if look_back.sessions:
        lines.append(content.message("weekly_sessions", count=str(look_back.sessions)))
    lines.append(content.message("weekly_cheer"))
    return Reply("\n\n".join(lines))
