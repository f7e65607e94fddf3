"""The `backcare-bot` command: run the bot on Telegram, chat with it in the terminal, or check
and preview the content."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

from telegram.error import TelegramError

from bot import lifecycle, logs
from bot.app import build_application
from bot.config import ConfigError, Settings, check_db_path
from content import LANGUAGES, ContentError
from storage import NewerDatabase, is_damaged

logger = logging.getLogger(__name__)

#: The settings `--help` lists, each with what it does (read by ``Settings.from_env``).
SETTINGS: tuple[tuple[str, str], ...] = (
    ("TELEGRAM_BOT_TOKEN", "the token from @BotFather (required for `run`)"),
    ("BACKCARE_DB", "the SQLite file (default: backcare.db); created and migrated on start"),
    ("BACKCARE_TIMEZONE", "timezone for new subscribers: IANA name or UTC offset (default: UTC)"),
    (
        "TELEGRAM_API_BASE_URL",
        (
            "Bot API endpoint, the token is appended (default: https://api.telegram.org/bot); for a"
            " self-hosted Bot API server use e.g. http://localhost:8081/bot"
        ),
    ),
    ("BACKCARE_SEND_RATE", "messages per second in all (default: 25; 0: no pacing)"),
    ("BACKCARE_CHAT_RATE", "replies per second to one chat, sustained (default: 1; 0: off)"),
    ("BACKCARE_MAX_IN_FLIGHT", "bulk requests in flight at once, per job (default: 16)"),
    ("BACKCARE_PAID_BROADCAST", "1: send every bulk message as a paid broadcast (default: 0)"),
    (
        "BACKCARE_KEEP_DAYS",
        (
            "days the delivery log and broadcast copies are kept; their daily counts stay (default:"
            " 90, at least 7)"
        ),
    ),
    (
        "BACKCARE_ADMIN_IDS",
        "comma-separated Telegram user ids allowed to use /stats and /broadcast",
    ),
    ("BACKCARE_METRICS_PORT", "serve /metrics on this port of BACKCARE_METRICS_LISTEN"),
    ("BACKCARE_METRICS_LISTEN", "the address of the metrics port (default: 127.0.0.1)"),
    (
        "BACKCARE_METRICS_TOKEN",
        (
            '/metrics asks for "Authorization: Bearer <it>", and is served on the webhook\'s '
            "listener too (default: none, only the metrics port)"
        ),
    ),
    (
        "BACKCARE_WEBHOOK_URL",
        (
            "webhook mode: the public https:// URL Telegram posts updates to (default: none, long "
            "polling)"
        ),
    ),
    ("BACKCARE_LISTEN", "webhook mode: the address to listen on (default: 127.0.0.1)"),
    ("BACKCARE_PORT", "webhook mode: the port to listen on (default: 8443)"),
    (
        "BACKCARE_WEBHOOK_PATH",
        (
            "webhook mode: the local path served, if a reverse proxy changes it (default: the path "
            "of BACKCARE_WEBHOOK_URL)"
        ),
    ),
    (
        "BACKCARE_WEBHOOK_SECRET",
        (
            "webhook mode: the X-Telegram-Bot-Api-Secret-Token Telegram sends; other requests are "
            "refused (default: a new random one each start)"
        ),
    ),
    (
        "BACKCARE_WEBAPP_URL",
        (
            "the Mini App's public https:// address, its path forwarded to the bot's /app/, e.g."
            " https://bot.example.org/app/ (default: none, no Mini App)"
        ),
    ),
    (
        "BACKCARE_WEB_PORT",
        "polling mode: serve the Mini App on this port (required with BACKCARE_WEBAPP_URL)",
    ),
    ("BACKCARE_WEB_LISTEN", "polling mode: the Mini App port's address (default: 127.0.0.1)"),
    ("BACKCARE_LOG_LEVEL", "DEBUG, INFO, WARNING or ERROR (default: INFO)"),
    ("BACKCARE_LOG_FORMAT", "text or json: one JSON object per line (default: text)"),
)


def _settings_help(width: int = 96) -> str:
    """The settings in two columns, every text starting at one column, wrapped at ``width``."""
    column = 2 + max(len(name) for name, _ in SETTINGS) + 2
    lines = [
        "settings (environment variables, or lines NAME=value in a .env file "
        "in the working directory):"
    ]
    for name, text in SETTINGS:
        wrapped = textwrap.wrap(text, width - column, break_long_words=False)
        lines.append(f"  {name}".ljust(column) + wrapped[0])
        lines.extend(" " * column + more for more in wrapped[1:])
    return "\n".join(lines) + "\n"


SETTINGS_HELP = _settings_help()


def _positive(value: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is less than 1")
    return number


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="backcare-bot",
        description=(
            "A Telegram companion for people with a herniated lumbar disc or low-back pain: "
            "one back-care tip a day at the time each subscriber picks, the four massage "
            "techniques step by step, what massage can and cannot do, and safety one tap away."
        ),
        epilog=SETTINGS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--log-level",
        type=str.upper,
        choices=logs.LEVELS,
        help="how much to log (env BACKCARE_LOG_LEVEL, default INFO)",
    )
    parser.add_argument(
        "--log-format",
        choices=logs.FORMATS,
        help="text, or json: one JSON object per line (env BACKCARE_LOG_FORMAT, default text)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    run = commands.add_parser(
        "run",
        help="run the bot on Telegram (long polling, or a webhook)",
        description=(
            "Run the bot on Telegram with long polling, or with a webhook when a webhook URL "
            "is set. It migrates the database, loads the tips from the content files, "
            "registers the command menu and sends every subscriber's daily tip at their "
            "local time. Stop it with Ctrl-C or SIGTERM."
        ),
        epilog=SETTINGS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument(
        "--send-rate",
        metavar="N",
        help="messages per second in all, replies and daily tips together; 0 turns pacing "
        "off, e.g. for a paid broadcast (env BACKCARE_SEND_RATE, default 25: Telegram allows "
        "about 30 a second, the rest is headroom for replies)",
    )
    run.add_argument(
        "--max-in-flight",
        metavar="N",
        help="bulk requests (daily tips, put-off tips, look backs, broadcasts) waiting for "
        "Telegram at once, per job (env BACKCARE_MAX_IN_FLIGHT, default 16); a message whose "
        "request is in flight when the bot is killed is not sent again",
    )
    run.add_argument(
        "--paid-broadcast",
        action="store_true",
        default=None,
        help="send every bulk message (daily tips, put-off tips, look backs, broadcasts; "
        "never a reply) as a paid broadcast (up to 1,000 a second, charged in Telegram Stars; "
        "env BACKCARE_PAID_BROADCAST=1); raise --send-rate to match",
    )
    run.add_argument(
        "--keep-days",
        metavar="N",
        help="delete delivery-log rows and broadcast copies older than N days, keeping their "
        "daily counts for /stats (env BACKCARE_KEEP_DAYS, default 90, at least 7)",
    )
    run.add_argument(
        "--webhook-url",
        metavar="URL",
        help="webhook mode: the public https:// URL Telegram posts updates to, usually a "
        "reverse proxy that terminates TLS (env BACKCARE_WEBHOOK_URL; default: long polling)",
    )
    run.add_argument(
        "--listen",
        metavar="ADDRESS",
        help="webhook mode: the address to listen on (env BACKCARE_LISTEN, default 127.0.0.1)",
    )
    run.add_argument(
        "--port",
        metavar="N",
        help="webhook mode: the port to listen on (env BACKCARE_PORT, default 8443)",
    )
    run.add_argument(
        "--metrics-port",
        metavar="N",
        help="serve Prometheus metrics at http://127.0.0.1:N/metrics (env "
        "BACKCARE_METRICS_PORT; BACKCARE_METRICS_LISTEN changes the address)",
    )
    run.add_argument(
        "--webapp-url",
        metavar="URL",
        help="turn the Mini App on: its public https:// address, whose path a reverse proxy "
        "forwards to the bot's /app/ (env BACKCARE_WEBAPP_URL; default: no Mini App)",
    )
    run.add_argument(
        "--web-port",
        metavar="N",
        help="polling mode: serve the Mini App at http://127.0.0.1:N/app/ for the proxy (env "
        "BACKCARE_WEB_PORT; BACKCARE_WEB_LISTEN changes the address); webhook mode serves it "
        "beside the webhook",
    )
    run.add_argument(
        "--url-path",
        metavar="PATH",
        help="webhook mode: the local path to serve when the proxy rewrites it (env "
        "BACKCARE_WEBHOOK_PATH, default: the path of the webhook URL)",
    )
    run.add_argument(
        "--secret-token",
        metavar="TOKEN",
        help="webhook mode: what Telegram sends in X-Telegram-Bot-Api-Secret-Token; other "
        "requests are refused (env BACKCARE_WEBHOOK_SECRET, which is safer: other users can "
        "see a command line; default: a new random one each start)",
    )
    chat = commands.add_parser(
        "chat",
        help="chat with the bot in this terminal: no token, no network",
        description=(
            "Chat with the bot in the terminal: the same handlers, storage and daily tip, "
            "answered by a local stand-in for Telegram. Type commands or text; type a "
            "button's number to press it; /quit or Ctrl-D ends. Lines can be piped in."
        ),
        epilog=SETTINGS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    chat.add_argument(
        "--db", type=Path, default=None, help="SQLite file for the chat (default: backcare-chat.db)"
    )
    chat.add_argument(
        "--lang",
        default="en",
        metavar="CODE",
        help="the language your pretend Telegram app reports, e.g. zh-hans (default: en)",
    )
    content = commands.add_parser(
        "content",
        help="check the content files, or preview them as users see them",
        description="Check every language's content files, or print them as users see them.",
    )
    content_commands = content.add_subparsers(dest="content_command", required=True)
    content_commands.add_parser(
        "check",
        help="validate every language: same keys and placeholders, Telegram HTML and limits",
        description=(
            "Load and cross-check every language: the same keys, placeholders, tips and "
            "techniques in each; valid Telegram HTML; texts, captions, buttons and command "
            "descriptions within Telegram's limits; callback data within 64 bytes. Exit 0 "
            "when all is well, 1 with the first problem named by file and key."
        ),
    )
    preview = content_commands.add_parser(
        "preview",
        help="print every card, page and tip of one language as the user would see it",
    )
    preview.add_argument("--lang", default="en", choices=LANGUAGES, help="the language")

    # Operators' commands: they read BACKCARE_DB like `run`, and need no token.
    stats = commands.add_parser(
        "stats",
        help="subscribers, deliveries, feedback per tip and check-ins, as a table",
        description="Print the bot's figures from the database: subscribers (active, paused, "
        "blocked), deliveries today and per day, feedback per tip, check-in participation. "
        "The daily delivery figures are kept as counts after the delivery log's rows are "
        "deleted (BACKCARE_KEEP_DAYS), so --days may reach further back than the log.",
        epilog=SETTINGS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    stats.add_argument(
        "--days",
        type=_positive,
        default=30,
        metavar="N",
        help="how many days the per-day table covers, today included (default: 30)",
    )
    tips = commands.add_parser("tips", help="list or export the tips")
    tips_commands = tips.add_subparsers(dest="tips_command", required=True)
    tips_list = tips_commands.add_parser("list", help="one line per tip: position, day, id, title")
    tips_list.add_argument("--lang", default="en", choices=LANGUAGES, help="the language")
    tips_export = tips_commands.add_parser(
        "export", help="every tip of every language as CSV or JSON on standard output"
    )
    tips_export.add_argument("--format", default="csv", choices=["csv", "json"])
    db = commands.add_parser("db", help="back up or check the database")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    backup = db_commands.add_parser(
        "backup",
        help="copy the database to PATH with SQLite's online backup (safe while the bot runs)",
    )
    backup.add_argument(
        "path",
        type=Path,
        metavar="PATH",
        help="the copy to write, or a folder for a dated copy (backcare-YYYYMMDD-HHMMSS.db)",
    )
    backup.add_argument(
        "--keep",
        type=_positive,
        metavar="N",
        help="with a folder: keep the newest N dated copies there, remove older ones",
    )
    db_commands.add_parser(
        "check", help="integrity check and which migrations are applied or pending"
    )
    return parser


#: `run` exits with this when the database cannot be used as it is: restarting will not
#: help, so the systemd unit does not restart on it (RestartPreventExitStatus).
UNUSABLE_DATABASE = 3

#: Where chat mode keeps its data unless --db says otherwise.
_CHAT_DB = Path("backcare-chat.db")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `backcare-bot` command; returns the exit code."""
    args = _parser().parse_args(argv)
    # The flags win over the environment (argparse has checked them); everything else is
    # read, checked and defaulted in one place, Settings.from_env.
    flags = {
        name: value
        for name, value in (
            ("BACKCARE_LOG_LEVEL", args.log_level),
            ("BACKCARE_LOG_FORMAT", args.log_format),
            ("BACKCARE_SEND_RATE", getattr(args, "send_rate", None)),
            ("BACKCARE_MAX_IN_FLIGHT", getattr(args, "max_in_flight", None)),
            ("BACKCARE_KEEP_DAYS", getattr(args, "keep_days", None)),
            ("BACKCARE_PAID_BROADCAST", "1" if getattr(args, "paid_broadcast", False) else None),
            ("BACKCARE_WEBHOOK_URL", getattr(args, "webhook_url", None)),
            ("BACKCARE_LISTEN", getattr(args, "listen", None)),
            ("BACKCARE_PORT", getattr(args, "port", None)),
            ("BACKCARE_METRICS_PORT", getattr(args, "metrics_port", None)),
            ("BACKCARE_WEBHOOK_PATH", getattr(args, "url_path", None)),
            ("BACKCARE_WEBAPP_URL", getattr(args, "webapp_url", None)),
            ("BACKCARE_WEB_PORT", getattr(args, "web_port", None)),
            ("BACKCARE_WEBHOOK_SECRET", getattr(args, "secret_token", None)),
        )
        if value is not None
    }
    if args.command == "chat":
        # The real bot against the local Bot API in this process: a token it accepts.
        # It serves the Mini App itself, on a free port of 127.0.0.1: a production address
        # or port in .env is not this chat's.
        flags |= {
            "TELEGRAM_BOT_TOKEN": "0:local-chat",
            "BACKCARE_DB": str(args.db or _CHAT_DB),
            "BACKCARE_WEBAPP_URL": "",
            "BACKCARE_WEB_PORT": "",
        }
    try:
        settings = Settings.from_env(require_token=args.command == "run", overrides=flags)
        if args.command in ("run", "chat"):
            check_db_path(settings.db_path)
    except ConfigError as error:
        print(f"backcare-bot: {error}", file=sys.stderr)
        return 2
    logs.configure(
        logging.WARNING if args.command == "chat" else settings.log_level,
        fmt=settings.log_format,
    )
    if args.command in ("stats", "tips", "db"):
        from bot.ops import operators

        try:
            return operators.main(args, settings, sys.stdout)
        except ContentError as error:
            print(f"backcare-bot: {error}", file=sys.stderr)
            return 2
    if args.command == "content":
        from bot.ops import content as content_tools

        if args.content_command == "check":
            return content_tools.check(sys.stdout)
        return content_tools.preview(args.lang, sys.stdout)
    try:
        if args.command == "chat":
            from bot.console.terminal import chat

            return asyncio.run(chat(settings, language_code=args.lang))
        # From here on the token is known: keep it out of every log line and traceback.
        secrets = [settings.token, settings.secret_token or "", settings.metrics_token or ""]
        logs.configure(settings.log_level, secrets=secrets, fmt=settings.log_format)
        application = build_application(settings)
    except ContentError as error:
        print(f"backcare-bot: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    except Exception as error:
        if (unusable := _unusable_database(error, settings.db_path)) is None:
            raise
        print(unusable, file=sys.stderr)
        return UNUSABLE_DATABASE
    logger.info("starting; database %s", settings.db_path)
    try:
        lifecycle.run(application, settings)
    except ConfigError as error:  # found only once running, e.g. a token Telegram refuses
        print(f"backcare-bot: {error}", file=sys.stderr)
        return 2
    except TelegramError as error:  # getMe answered with an error: Telegram's, may pass
        reason = str(error).replace(settings.token, logs.REDACTED)
        print(f"backcare-bot: Telegram failed at start ({reason}); try again", file=sys.stderr)
        return 1
    except Exception as error:
        if (unusable := _unusable_database(error, settings.db_path)) is not None:
            print(unusable, file=sys.stderr)
            return UNUSABLE_DATABASE
        # Through the log, not Python's own traceback printer: the redacting formatter
        # keeps the token out of it.
        logger.critical("the bot stopped on an error", exc_info=True)
        return 1
    if (damaged := application.runtime.damage) is not None:
        print(_unusable_database(damaged, settings.db_path, running=True), file=sys.stderr)
        return UNUSABLE_DATABASE
    logger.info("stopped")
    return 0


def _unusable_database(error: BaseException, path: Path, *, running: bool = False) -> str | None:
    """The one line to print when ``error`` means the database cannot be used as it is (not
    a database, damaged, or migrated by a newer version), else None. ``running``: found
    after the start, so the bot stopped."""
    if isinstance(error, NewerDatabase):
        return f"backcare-bot: {error}"
    if is_damaged(error):
        found = (
            "was found damaged while running, so the bot stopped"
            if running
            else ("is not a usable database")
        )
        return (
            f"backcare-bot: {path} {found} ({error}); see `backcare-bot db check`, and "
            "restore a backup (README: Back up)"
        )
    return None


if __name__ == "__main__":
    sys.exit(main())
