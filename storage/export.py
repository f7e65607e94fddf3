"""A chat's own data as files it can keep or forward: everything stored (/mydata, JSON)
and one row per day (/export, CSV). Nothing here names anyone but the chat itself."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime

from storage.models import iso_stamp
from storage.rules.sessions import Session
from storage.store import Store

#: /export's columns, one row per local date with anything recorded.
CSV_COLUMNS = ("date", "pain_score", "daily_tip", "tip_status", "guided_sessions", "felt")


def record_json(store: Store, chat_id: int, now: datetime) -> bytes:
    """Everything stored about the chat (``Store.chat_record``), as indented UTF-8 JSON."""
    document = {
        "exported_at": iso_stamp(now),
        "chat_id": chat_id,
        "note": "Everything backcare-bot stores about this chat, table by table. Dates are "
        "the chat's local dates; times are UTC. Self-reported, not a medical record.",
        "tables": store.chat_record(chat_id),
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def days_csv(store: Store, chat_id: int, now: datetime) -> bytes:
    """One row per local date with a check-in, a daily tip or a guided session, oldest
    first (``CSV_COLUMNS``), as UTF-8 with a byte-order mark so spreadsheets read it."""
    record = store.record(chat_id, now, days=None)
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
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for local_date in sorted(days):
        writer.writerow(days[local_date])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
