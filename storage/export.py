"""A chat's own data as files it can keep or forward: everything stored (/mydata, JSON)
and one row per day (/export, CSV). Pure: the caller reads the data (``Store.chat_record``,
``Store.record``) and this writes it out. Nothing here names anyone but the chat itself."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from typing import Any

from storage.models import iso_stamp
from storage.record import Record
from storage.rules.sessions import Session

#: /export's columns, one row per local date with anything recorded.
CSV_COLUMNS = ("date", "pain_score", "daily_tip", "tip_status", "guided_sessions", "felt")


def record_json(tables: dict[str, list[dict[str, Any]]], chat_id: int, now: datetime) -> bytes:
    """Everything stored about the chat (``tables``: ``Store.chat_record``), as indented
    UTF-8 JSON."""
    document = {
        "exported_at": iso_stamp(now),
        "chat_id": chat_id,
        "note": "Everything backcare-bot stores about this chat, table by table. Dates are "
        "the chat's local dates; times are UTC. Self-reported, not a medical record.",
        "tables": tables,
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def days_csv(record: Record) -> bytes | None:
    """One row per local date of ``record`` with a check-in, a daily tip or a guided
    session, oldest first (``CSV_COLUMNS``), as UTF-8 with a byte-order mark so spreadsheets
    read it; None when there is no such day (nothing to export)."""
    days: dict[date, dict[str, object]] = {}

    def day(local_date: date) -> dict[str, object]:
        return days.setdefault(local_date, {"date": local_date, "guided_sessions": 0})

    for checkin in record.checkins.checkins:
        day(checkin.local_date)["pain_score"] = checkin.score
    for tip in record.tips:
        row = day(tip.local_date)
        row["daily_tip"], row["tip_status"] = tip.tip_id or "", tip.status
    by_day: dict[date, list[Session]] = {}
    for session in record.sessions.sessions:
        by_day.setdefault(session.local_date, []).append(session)
    for local_date, sessions in by_day.items():
        row = day(local_date)
        row["guided_sessions"] = len(sessions)
        if felt := [session.feeling for session in sessions if session.feeling]:
            row["felt"] = " ".join(felt)
    if not days:
        return None
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for local_date in sorted(days):
        writer.writerow(days[local_date])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
