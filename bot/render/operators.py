"""Operators' replies: a broadcast's preview, progress and final count, and /stats."""

from __future__ import annotations

import html
from collections.abc import Mapping

from telegram import (
    InlineKeyboardMarkup,
)

from bot import callbacks
from bot.render.chart import stats_chart
from bot.render.common import Photo, Reply, callback_button
from bot.render.progress import chart_dates
from content import Content
from storage import BroadcastStatus
from storage.stats import Stats


def broadcast_preview(content: Content, chat_id: int, message_id: int, count: int) -> Reply:
    """The question under a broadcast's preview: send it to ``count`` subscribers, or cancel."""
    return Reply(
        content.message("broadcast_preview", count=str(count)),
        InlineKeyboardMarkup(
            [
                [
                    callback_button(
                        content.buttons["broadcast_send"],
                        callbacks.broadcast_confirm(chat_id, message_id),
                    ),
                    callback_button(
                        content.buttons["broadcast_cancel"], callbacks.BROADCAST_CANCEL
                    ),
                ]
            ]
        ),
    )


def broadcast_progress(content: Content, broadcast_id: int, done: int, total: int) -> Reply:
    """A running broadcast's progress, with the button that cancels what is not sent yet."""
    return Reply(
        content.message("broadcast_progress", done=str(done), total=str(total)),
        InlineKeyboardMarkup(
            [
                [
                    callback_button(
                        content.buttons["broadcast_stop"], callbacks.broadcast_stop(broadcast_id)
                    )
                ]
            ]
        ),
    )


def broadcast_done(content: Content, counts: Mapping[BroadcastStatus, int]) -> str:
    """The final count of a broadcast: sent, blocked, failed, and, when there are any, how
    many were not sent because of a cancel and how many a crash left uncertain."""
    lines = [
        content.message(
            "broadcast_done",
            sent=str(counts[BroadcastStatus.SENT]),
            blocked=str(counts[BroadcastStatus.BLOCKED]),
            failed=str(counts[BroadcastStatus.FAILED]),
        )
    ]
    if counts[BroadcastStatus.CANCELLED]:
        lines.append(
            content.message(
                "broadcast_done_cancelled", cancelled=str(counts[BroadcastStatus.CANCELLED])
            )
        )
    if counts[BroadcastStatus.UNCERTAIN]:
        lines.append(
            content.message(
                "broadcast_done_uncertain", uncertain=str(counts[BroadcastStatus.UNCERTAIN])
            )
        )
    return "\n".join(lines)


#: Tips listed under /stats, most disliked first.
STATS_FEEDBACK_LINES = 15


def stats(content: Content, figures: Stats) -> tuple[Photo, Reply]:
    """/stats: the 30-day chart with the figures as its caption, and feedback per tip.

    Draws a PNG (tens of milliseconds): call it off the event loop.
    """
    people, today = figures.subscribers, figures.deliveries_today
    caption = content.message(
        "stats_summary",
        date=figures.today.isoformat(),
        active=str(people.active),
        paused=str(people.paused),
        blocked=str(people.blocked),
        sent_today=str(today.sent),
        failed_today=str(today.failed),
        blocked_today=str(today.blocked),
        sent_month=str(sum(day.sent for day in figures.days)),
        checkin_people=str(figures.checkins.active_recent),
        share=f"{figures.checkins.active_share:.0%}",
    )
    if not figures.feedback:
        details = content.message("stats_feedback_none")
    else:
        lines = [
            content.message(
                "stats_feedback_line",
                flag="⚠ " if tip.flagged else "",
                tip=html.escape(tip.tip_id),
                helpful=str(tip.helpful),
                not_helpful=str(tip.not_helpful),
            )
            for tip in figures.feedback[:STATS_FEEDBACK_LINES]
        ]
        details = "\n".join([content.message("stats_feedback_title"), *lines])
    return Photo(stats_chart(figures, chart_dates(content)), caption), Reply(details)
