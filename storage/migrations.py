"""Schema changes, applied once each and in order (sqlite-utils Migrations)."""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from storage.rules import schedule

migrations = Migrations("backcare")


def unknown_applied(db: Database) -> list[str]:
    """Migrations applied to ``db`` that this version does not have: a newer version's."""
    known = {migration.name for migration in migrations.pending(Database(memory=True))}
    return [m.name for m in migrations.applied(db) if m.name not in known]


@migrations()
def m001_initial(db: Database) -> None:
    """Subscribers, tips and the delivery log."""
    db.table("subscribers").create(
        {
            "chat_id": int,
            "subscribed": int,
            "tip_time": str,
            "timezone": str,
            "next_due": int,
            "tip_cursor": int,
            "created_at": str,
            "updated_at": str,
        },
        pk="chat_id",
        not_null={"subscribed", "tip_time", "timezone", "tip_cursor", "created_at", "updated_at"},
        defaults={"subscribed": 0, "tip_cursor": 0},
    )
    # The delivery job asks "who is due?" every tick: only scheduled rows are indexed.
    db.execute(
        "CREATE INDEX subscribers_next_due ON subscribers(next_due) WHERE next_due IS NOT NULL"
    )
    db.table("tips").create(
        {"id": str, "position": int, "text": str, "active": int, "updated_at": str},
        pk="id",
        not_null={"position", "text", "active", "updated_at"},
    )
    db.table("tips").create_index(["active", "position"])
    db.table("deliveries").create(
        {
            "chat_id": int,
            "local_date": str,
            "tip_id": str,
            "status": str,
            "message_id": int,
            "attempts": int,
            "updated_at": str,
        },
        pk=("chat_id", "local_date"),
        not_null={"status", "attempts", "updated_at"},
        defaults={"attempts": 1},
    )


@migrations()
def m002_blocked(db: Database) -> None:
    """Whether the user blocked the bot, kept apart from whether they want tips."""
    db.table("subscribers").add_column("blocked", int, not_null_default=0)


@migrations()
def m003_pause_days_claims(db: Database) -> None:
    """Pauses and delivery days; the due instant of each claim, so it can be given back."""
    subscribers = db.table("subscribers")
    subscribers.add_column("days", int, not_null_default=127)
    subscribers.add_column("resume_on", str)
    db.table("deliveries").add_column("due_at", int)
    # Crash recovery looks up rows by status; the dashboard-style counts will too.
    db.table("deliveries").create_index(["status"])


@migrations()
def m004_caution(db: Database) -> None:
    """The answer to the caution check shown before the first technique (NULL: not asked)."""
    db.table("subscribers").add_column("caution", str)


@migrations()
def m005_checkins(db: Database) -> None:
    """Pain check-ins: one 0–10 score per chat and local day (a later one that day replaces it)."""
    db.table("checkins").create(
        {"chat_id": int, "local_date": str, "score": int, "created_at": str},
        pk=("chat_id", "local_date"),
        not_null={"score", "created_at"},
    )


@migrations()
def m006_tip_kinds_holds_prompts(db: Database) -> None:
    """Which tips teach a technique, holding those back, the daily check-in opt-in, and
    when a subscription began."""
    db.table("tips").add_column("technique", str)
    subscribers = db.table("subscribers")
    # Set when check-ins rise, cleared when the user says they are fine.
    subscribers.add_column("hold_techniques", int, not_null_default=0)
    subscribers.add_column("checkin_prompt", int, not_null_default=0)
    # When the current subscription began, for /progress ("subscribed for N days").
    subscribers.add_column("subscribed_at", str)
    db.execute("UPDATE subscribers SET subscribed_at = created_at WHERE subscribed = 1")


@migrations()
def m007_languages_program_media(db: Database) -> None:
    """Each chat's language, the 30-day program, and the file ids of uploaded pictures."""
    subscribers = db.table("subscribers")
    subscribers.add_column("language", str)  # chosen with /language (NULL: not chosen)
    subscribers.add_column("telegram_language", str)  # from the user's Telegram app
    subscribers.add_column("program_done", int, not_null_default=0)
    db.table("tips").add_column("program_day", int)
    # One row per picture and language: Telegram's file id, so each is uploaded once.
    db.table("media").create(
        {"key": str, "file_id": str, "updated_at": str},
        pk="key",
        not_null={"file_id", "updated_at"},
    )


@migrations()
def m008_feedback_broadcasts(db: Database) -> None:
    """Feedback on daily tips, operators' broadcasts with their per-chat delivery, and an
    index for the operators' figures."""
    # One answer per chat and tip; a second press changes it.
    db.table("feedback").create(
        {"chat_id": int, "tip_id": str, "helpful": int, "created_at": str, "updated_at": str},
        pk=("chat_id", "tip_id"),
        not_null={"helpful", "created_at", "updated_at"},
    )
    db.table("feedback").create_index(["tip_id"])
    # A broadcast copies one message of an operator's chat to every active subscriber.
    db.table("broadcasts").create(
        {
            "id": int,
            "from_chat_id": int,
            "message_id": int,
            "created_by": int,
            "created_at": str,
            "finished_at": str,
        },
        pk="id",
        not_null={"from_chat_id", "message_id", "created_by", "created_at"},
    )
    db.table("broadcast_deliveries").create(
        {"broadcast_id": int, "chat_id": int, "status": str, "updated_at": str},
        pk=("broadcast_id", "chat_id"),
        not_null={"status", "updated_at"},
        foreign_keys=[("broadcast_id", "broadcasts", "id")],
    )
    # `stats` counts deliveries by day and status over 30 days: without it, a full scan
    # (4.3 s at 1M subscribers with a week of history; 1.4 s with it).
    db.table("deliveries").create_index(["local_date", "status"])


@migrations()
def m009_massage_tips(db: Database) -> None:
    """Tips that suggest massage in general, held back like technique tips on rising scores."""
    db.table("tips").add_column("massage", int, not_null_default=0)


@migrations()
def m010_quarantine(db: Database) -> None:
    """Rows set aside because they cannot be scheduled, and timezones that are not places.

    Earlier versions accepted "localtime", "Factory" and "posixrules", and a zone can vanish
    from a later tzdata: such a value becomes "UTC" (the tip comes at the chosen time in
    UTC until the user sets the zone again), instead of stopping every claim batch.
    """
    db.table("subscribers").add_column("quarantine", str)
    # /healthz and `db check` count the quarantined rows: few, so a small partial index.
    db.execute(
        "CREATE INDEX subscribers_quarantine ON subscribers(chat_id) WHERE quarantine IS NOT NULL"
    )
    bad = [
        name
        for (name,) in db.execute("SELECT DISTINCT timezone FROM subscribers").fetchall()
        if not schedule.loads(name)
    ]
    for name in bad:
        db.execute("UPDATE subscribers SET timezone = 'UTC' WHERE timezone = ?", [name])


@migrations()
def m011_private_chats_only(db: Database) -> None:
    """Nothing personal under a group's id: the bot keeps settings, check-ins and feedback
    for private chats only now, so what earlier versions stored for groups and channels
    (their ids are negative) is deleted, in every table with a ``chat_id`` column."""
    tables = [
        name
        for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
        if db.execute(
            "SELECT 1 FROM pragma_table_info(?) WHERE name = 'chat_id'", [name]
        ).fetchone()
    ]
    for name in tables:
        db.execute(f'DELETE FROM "{name}" WHERE chat_id < 0')


@migrations()
def m012_summaries(db: Database) -> None:
    """Anonymous counts that outlive the rows they count, so old rows can be deleted while
    the figures stay: the daily tip's outcomes per local date, and each broadcast's copies.

    The triggers are the one definition of the rule: a deleted row whose status is final
    stays counted (retention and /deletedata forget the row, not the fact); one that was
    still on its way (a claim given back, a copy not sent) is not.

    ``delivery_days`` counts every row of the delivery log under its local date and
    status, moved when the status changes, so /stats reads it instead of the log.
    ``broadcast_counts`` holds only the copies whose rows were deleted: a broadcast's
    figures are its remaining rows plus these.
    """
    db.execute(
        "CREATE TABLE delivery_days (local_date TEXT NOT NULL, status TEXT NOT NULL, "
        "count INTEGER NOT NULL, PRIMARY KEY (local_date, status)) WITHOUT ROWID"
    )
    db.execute(
        "INSERT INTO delivery_days (local_date, status, count) "
        "SELECT local_date, status, count(*) FROM deliveries GROUP BY local_date, status"
    )
    add = (
        "INSERT INTO delivery_days (local_date, status, count) "
        "VALUES (NEW.local_date, NEW.status, 1) "
        "ON CONFLICT (local_date, status) DO UPDATE SET count = count + 1;"
    )
    take = (
        "UPDATE delivery_days SET count = count - 1 "
        "WHERE local_date = OLD.local_date AND status = OLD.status;"
    )
    db.execute(f"CREATE TRIGGER delivery_days_insert AFTER INSERT ON deliveries BEGIN {add} END")
    db.execute(
        "CREATE TRIGGER delivery_days_update AFTER UPDATE OF status, local_date ON deliveries "
        "WHEN OLD.status IS NOT NEW.status OR OLD.local_date IS NOT NEW.local_date "
        f"BEGIN {take} {add} END"
    )
    db.execute(
        "CREATE TRIGGER delivery_days_delete AFTER DELETE ON deliveries "
        f"WHEN OLD.status IN ('claimed', 'sending') BEGIN {take} END"
    )
    db.execute(
        "CREATE TABLE broadcast_counts (broadcast_id INTEGER NOT NULL REFERENCES broadcasts(id), "
        "status TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (broadcast_id, status)) "
        "WITHOUT ROWID"
    )
    db.execute(
        "CREATE TRIGGER broadcast_counts_delete AFTER DELETE ON broadcast_deliveries "
        "WHEN OLD.status NOT IN ('pending', 'sending') BEGIN "
        "INSERT INTO broadcast_counts (broadcast_id, status, count) "
        "VALUES (OLD.broadcast_id, OLD.status, 1) "
        "ON CONFLICT (broadcast_id, status) DO UPDATE SET count = count + 1; END"
    )


@migrations()
def m013_sessions(db: Database) -> None:
    """Guided sessions: one row per session a chat started, its state and how it felt.

    At most one runs (or is paused) per chat: a partial unique index says so, and the
    session job finds the running ones through it. ``held`` marks a pause the bot made
    when it stopped (undone when it starts again); ``language`` is the one the session
    speaks, since a chat may have no settings row.
    """
    db.execute(
        "CREATE TABLE sessions (id INTEGER PRIMARY KEY, chat_id INTEGER NOT NULL, "
        "technique_id TEXT NOT NULL, language TEXT NOT NULL, local_date TEXT NOT NULL, "
        "started_at TEXT NOT NULL, state TEXT NOT NULL, paused_at TEXT, "
        "paused_seconds REAL NOT NULL DEFAULT 0, skipped_seconds REAL NOT NULL DEFAULT 0, "
        "held INTEGER NOT NULL DEFAULT 0, message_id INTEGER, feeling TEXT, ended_at TEXT, "
        "updated_at TEXT NOT NULL)"
    )
    db.execute(
        "CREATE UNIQUE INDEX sessions_active ON sessions(chat_id) "
        "WHERE state IN ('running', 'paused')"
    )
    db.execute("CREATE INDEX sessions_chat_day ON sessions(chat_id, local_date)")


@migrations()
def m014_flare_day(db: Database) -> None:
    """The local date a chat last reported a bad day (/flare): tips about massage are
    passed over for the rest of that day."""
    db.table("subscribers").add_column("flare_on", str)


@migrations()
def m015_red_flags(db: Database) -> None:
    """The dates a chat pressed the check-in's warning-signs button, for its /report."""
    db.execute(
        "CREATE TABLE red_flags (id INTEGER PRIMARY KEY, chat_id INTEGER NOT NULL, "
        "local_date TEXT NOT NULL, created_at TEXT NOT NULL)"
    )
    db.execute("CREATE INDEX red_flags_chat_day ON red_flags(chat_id, local_date)")


@migrations()
def m016_later(db: Database) -> None:
    """ "Later" under the daily tip: when a put-off tip goes out again (once per tip), and
    the evening time a chat chose for it."""
    deliveries = db.table("deliveries")
    deliveries.add_column("snooze_at", int)
    deliveries.add_column("snoozed", int, not_null_default=0)
    # The snooze job asks "which put-off tips are due?" every tick: only those are indexed.
    db.execute(
        "CREATE INDEX deliveries_snooze_at ON deliveries(snooze_at) WHERE snooze_at IS NOT NULL"
    )
    db.table("subscribers").add_column("evening_time", str)


@migrations()
def m017_weekly(db: Database) -> None:
    """The weekly summary, opt-in: the weekday a chat chose (Monday = 0; NULL: off) and the
    instant the next one is due, which the weekly job finds through a partial index."""
    subscribers = db.table("subscribers")
    subscribers.add_column("weekly_day", int)
    subscribers.add_column("weekly_due", int)
    db.execute(
        "CREATE INDEX subscribers_weekly_due ON subscribers(weekly_due) "
        "WHERE weekly_due IS NOT NULL"
    )


@migrations()
def m018_safety_state(db: Database) -> None:
    """One safety state: the local dates of a session's pain stop and of a session that
    felt worse (each holds massage for the rest of that day), and the date of a warning
    sign reported at a check-in, which holds massage until a clinician has seen the user.

    Warning signs reported before this version held nothing; each chat's latest one holds
    massage now, until the user says a clinician has seen them (one tap): cautious, since
    nothing recorded whether they were seen."""
    subscribers = db.table("subscribers")
    subscribers.add_column("pain_stop_on", str)
    subscribers.add_column("worse_on", str)
    subscribers.add_column("warning_sign_on", str)
    db.execute(
        "UPDATE subscribers SET warning_sign_on = "
        "(SELECT max(local_date) FROM red_flags WHERE red_flags.chat_id = subscribers.chat_id)"
    )


@migrations()
def m019_weekly_subscribed(db: Database) -> None:
    """The weekly look back comes only while the chat is subscribed: chats that unsubscribed
    before this version keep the day they chose, not a look back still due (subscribing
    again schedules it)."""
    db.execute("UPDATE subscribers SET weekly_due = NULL WHERE subscribed = 0")


def _state_key(row: str, last: str) -> str:
    """SQL: the ``subscriber_counts`` key of subscribers row ``row`` (OLD, NEW or an alias)
    whose latest check-in date is the SQL expression ``last`` (NULL: none)."""
    live = f"({row}.subscribed != 0 AND {row}.blocked = 0)"
    return (
        f"CASE WHEN {row}.subscribed = 0 THEN 'unsubscribed' "
        f"WHEN {row}.blocked != 0 THEN 'blocked' ELSE 'live' END, "
        f"CASE WHEN {live} AND {row}.resume_on IS NOT NULL THEN {row}.timezone ELSE '' END, "
        f"CASE WHEN {live} THEN coalesce({row}.resume_on, '') ELSE '' END, "
        f"CASE WHEN {live} THEN coalesce({last}, '') ELSE '' END"
    )


def _latest(chat: str, before: str | None = None) -> str:
    """SQL: the latest check-in date of chat ``chat`` (before date ``before``), or NULL."""
    bound = f" AND local_date < {before}" if before else ""
    return f"(SELECT max(local_date) FROM checkins WHERE chat_id = {chat}{bound})"


_STATE_COLUMNS = "(state, timezone, resume_on, last_checkin)"


def _count_state(row: str, last: str, step: int, source: str = "WHERE true") -> str:
    """SQL: add ``step`` (+1 or -1) to the count under the key of subscribers row ``row``
    (read ``source``: a FROM clause for an alias); a count that reaches 0 is dropped, so the
    table holds only keys in use."""
    key = f"SELECT {_state_key(row, last)} {source}"
    if step > 0:
        return (
            f"INSERT INTO subscriber_counts {_STATE_COLUMNS[:-1]}, count) "
            f"SELECT {_state_key(row, last)}, 1 {source} "
            f"ON CONFLICT {_STATE_COLUMNS} DO UPDATE SET count = count + 1;"
        )
    return (
        f"UPDATE subscriber_counts SET count = count - 1 WHERE {_STATE_COLUMNS} = ({key}); "
        f"DELETE FROM subscriber_counts WHERE {_STATE_COLUMNS} = ({key}) AND count = 0;"
    )


def _add(table: str, key: dict[str, str], column: str = "count", step: int = 1) -> str:
    """SQL: add ``step`` to ``table``'s ``column`` under ``key`` (column -> SQL value),
    making the row if it is missing (only when the key's values are not NULL)."""
    names = ", ".join(key)
    values = ", ".join(key.values())
    not_null = " AND ".join(f"{v} IS NOT NULL" for v in key.values())
    return (
        f"INSERT INTO {table} ({names}, {column}) SELECT {values}, {step} WHERE {not_null} "
        f"ON CONFLICT ({names}) DO UPDATE SET {column} = {column} + {step};"
    )


@migrations()
def m020_stats_counts(db: Database) -> None:
    """The operators' counts kept as the delivery counts are (m012): by triggers, so /stats
    reads a few small tables instead of every subscriber, check-in and answer.

    All of them are exact, and mirror the rows: a deleted row (/deletedata, retention) is no
    longer counted, as when /stats counted the rows themselves.

    * ``subscriber_counts``: subscribers by state; the subscribed and unblocked ("live")
      ones also by the pause they set (its zone and first day back) and by the date of
      their latest check-in. Whether a pause holds depends on each chat's local date, so
      that is decided when /stats reads the counts, once per zone and first day back:
      exact, at any instant, without a nightly job.
    * ``checkin_days``: check-ins per local date.
    * ``checkin_last_days``: chats by the local date of their latest check-in (any state).
    * ``feedback_counts``: answers per tip, helpful or not.

    A check-in's chat and date and a subscriber's chat id never change (the triggers
    refuse it): a day's check-in is replaced in place, as it always was.
    """
    db.execute(
        "CREATE TABLE subscriber_counts (state TEXT NOT NULL, timezone TEXT NOT NULL, "
        "resume_on TEXT NOT NULL, last_checkin TEXT NOT NULL, count INTEGER NOT NULL, "
        "PRIMARY KEY (state, timezone, resume_on, last_checkin)) WITHOUT ROWID"
    )
    db.execute(
        "CREATE TABLE checkin_days (local_date TEXT PRIMARY KEY, count INTEGER NOT NULL) "
        "WITHOUT ROWID"
    )
    db.execute(
        "CREATE TABLE checkin_last_days (local_date TEXT PRIMARY KEY, chats INTEGER NOT NULL) "
        "WITHOUT ROWID"
    )
    db.execute(
        "CREATE TABLE feedback_counts (tip_id TEXT PRIMARY KEY, helpful INTEGER NOT NULL, "
        "not_helpful INTEGER NOT NULL) WITHOUT ROWID"
    )
    # What is there already, counted once.
    db.execute(
        f"INSERT INTO subscriber_counts {_STATE_COLUMNS[:-1]}, count) "
        f"SELECT {_state_key('s', _latest('s.chat_id'))} AS k, count(*) FROM subscribers s "
        "GROUP BY 1, 2, 3, 4"
    )
    db.execute(
        "INSERT INTO checkin_days SELECT local_date, count(*) FROM checkins GROUP BY local_date"
    )
    db.execute(
        "INSERT INTO checkin_last_days SELECT last, count(*) FROM "
        "(SELECT max(local_date) AS last FROM checkins GROUP BY chat_id) GROUP BY last"
    )
    db.execute(
        "INSERT INTO feedback_counts SELECT tip_id, sum(helpful != 0), sum(helpful = 0) "
        "FROM feedback GROUP BY tip_id"
    )

    # Subscribers: a row in, out, or changing state, pause or zone.
    fixed = "SELECT RAISE(ABORT, '{} cannot change: delete the row and insert another');"
    db.execute(
        "CREATE TRIGGER subscriber_counts_fixed BEFORE UPDATE OF chat_id ON subscribers "
        f"WHEN OLD.chat_id IS NOT NEW.chat_id BEGIN {fixed.format('chat_id')} END"
    )
    db.execute(
        "CREATE TRIGGER subscriber_counts_insert AFTER INSERT ON subscribers BEGIN "
        f"{_count_state('NEW', _latest('NEW.chat_id'), +1)} END"
    )
    db.execute(
        "CREATE TRIGGER subscriber_counts_delete AFTER DELETE ON subscribers BEGIN "
        f"{_count_state('OLD', _latest('OLD.chat_id'), -1)} END"
    )
    changed = " OR ".join(
        f"OLD.{c} IS NOT NEW.{c}" for c in ("subscribed", "blocked", "resume_on", "timezone")
    )
    db.execute(
        "CREATE TRIGGER subscriber_counts_update AFTER UPDATE OF subscribed, blocked, "
        f"resume_on, timezone ON subscribers WHEN {changed} BEGIN "
        f"{_count_state('OLD', _latest('OLD.chat_id'), -1)} "
        f"{_count_state('NEW', _latest('NEW.chat_id'), +1)} END"
    )

    # Check-ins: per day; and when a chat's latest one changes, its chat moves to that date.
    db.execute(
        "CREATE TRIGGER checkin_counts_fixed BEFORE UPDATE OF chat_id, local_date ON checkins "
        "WHEN OLD.chat_id IS NOT NEW.chat_id OR OLD.local_date IS NOT NEW.local_date "
        f"BEGIN {fixed.format('chat_id and local_date')} END"
    )
    subscriber = "FROM subscribers s WHERE s.chat_id = {}"
    previous = _latest("NEW.chat_id", before="NEW.local_date")
    db.execute(
        "CREATE TRIGGER checkin_counts_insert AFTER INSERT ON checkins BEGIN "
        f"{_add('checkin_days', {'local_date': 'NEW.local_date'})} END"
    )
    db.execute(
        "CREATE TRIGGER checkin_counts_latest AFTER INSERT ON checkins "
        f"WHEN NEW.local_date = {_latest('NEW.chat_id')} BEGIN "
        f"{_add('checkin_last_days', {'local_date': previous}, 'chats', -1)} "
        f"{_add('checkin_last_days', {'local_date': 'NEW.local_date'}, 'chats')} "
        f"{_count_state('s', previous, -1, subscriber.format('NEW.chat_id'))} "
        f"{_count_state('s', 'NEW.local_date', +1, subscriber.format('NEW.chat_id'))} END"
    )
    remaining = _latest("OLD.chat_id")
    db.execute(
        "CREATE TRIGGER checkin_counts_delete AFTER DELETE ON checkins BEGIN "
        f"{_add('checkin_days', {'local_date': 'OLD.local_date'}, step=-1)} END"
    )
    db.execute(
        "CREATE TRIGGER checkin_counts_was_latest AFTER DELETE ON checkins "
        f"WHEN OLD.local_date > coalesce({remaining}, '') BEGIN "
        f"{_add('checkin_last_days', {'local_date': 'OLD.local_date'}, 'chats', -1)} "
        f"{_add('checkin_last_days', {'local_date': remaining}, 'chats')} "
        f"{_count_state('s', 'OLD.local_date', -1, subscriber.format('OLD.chat_id'))} "
        f"{_count_state('s', remaining, +1, subscriber.format('OLD.chat_id'))} END"
    )

    # Feedback: one answer per chat and tip, changed in place.
    helpful = {"helpful": "{}.helpful != 0", "not_helpful": "{}.helpful = 0"}

    def answer(row: str, step: int) -> str:
        return (
            f"INSERT INTO feedback_counts (tip_id, helpful, not_helpful) VALUES ({row}.tip_id, "
            f"{step} * ({helpful['helpful'].format(row)}), "
            f"{step} * ({helpful['not_helpful'].format(row)})) "
            "ON CONFLICT (tip_id) DO UPDATE SET helpful = helpful + excluded.helpful, "
            "not_helpful = not_helpful + excluded.not_helpful;"
        )

    db.execute(
        "CREATE TRIGGER feedback_counts_insert AFTER INSERT ON feedback "
        f"BEGIN {answer('NEW', 1)} END"
    )
    db.execute(
        "CREATE TRIGGER feedback_counts_delete AFTER DELETE ON feedback "
        f"BEGIN {answer('OLD', -1)} END"
    )
    db.execute(
        "CREATE TRIGGER feedback_counts_update AFTER UPDATE OF helpful, tip_id ON feedback "
        "WHEN (OLD.helpful != 0) IS NOT (NEW.helpful != 0) OR OLD.tip_id IS NOT NEW.tip_id "
        f"BEGIN {answer('OLD', -1)} {answer('NEW', 1)} END"
    )


@migrations()
def m021_tip_library(db: Database) -> None:
    """The tip library (``storage.rules.choosing``): each tip's topic, source and a slot that
    never changes (its place in each chat's history); each chat's answers to the three
    questions, and its history of tips: per slot, the day it was last sent.

    The history starts empty (NULL) and is filled from the delivery log the first time a
    chat's next tip is chosen, so nobody sees a tip sooner than before.

    Each column is added only if missing (a migration's own tests add them early)."""
    tips = db.table("tips")
    added: tuple[tuple[str, type], ...] = (("topic", str), ("source", str), ("slot", int))
    for name, kind in added:
        if name not in tips.columns_dict:
            tips.add_column(name, kind)
    db.execute("UPDATE tips SET slot = rowid - 1 WHERE slot IS NULL")
    tips.create_index(["slot"], unique=True, if_not_exists=True)
    subscribers = db.table("subscribers")
    added = (("below_knee", str), ("days_like", str), ("focus", str), ("tips_seen", bytes))
    for name, kind in added:
        if name not in subscribers.columns_dict:
            subscribers.add_column(name, kind)
