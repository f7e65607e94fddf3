"""The `backcare-bot` command: run the bot on Telegram, chat with it in the terminal, or check
and preview the content."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from telegram import Update

from bot import logs
from bot.app import build_application
from bot.config import ConfigError, Settings
from content import LANGUAGES, ContentError

logger = logging.getLogger(__name__)

SETTINGS_HELP = """\
settings (environment variables, or lines NAME=value in a .env file in the working directory):
  TELEGRAM_BOT_TOKEN     the token from @BotFather (required for `run`)
  BACKCARE_DB            the SQLite file (default: backcare.db); created and migrated on start
  BACKCARE_TIMEZONE      timezone for new subscribers: IANA name or UTC offset (default: UTC)
  TELEGRAM_API_BASE_URL  Bot API endpoint, the token is appended (default:
                         https://api.telegram.org/bot); for a self-hosted Bot API server
                         use e.g. http://localhost:8081/bot
  BACKCARE_SEND_RATE     messages per second in all (default: 25; 0: no pacing)
  BACKCARE_MAX_IN_FLIGHT daily-tip requests in flight at once (default: 16)
  BACKCARE_PAID_BROADCAST 1: send daily tips as paid broadcasts (default: 0)
"""


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
        default="INFO",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="how much to log (default: INFO)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    run = commands.add_parser(
        "run",
        help="run the bot on Telegram (long polling)",
        description=(
            "Run the bot on Telegram with long polling. It migrates the database, loads the "
            "tips from the content files, registers the command menu and sends every "
            "subscriber's daily tip at their local time. Stop it with Ctrl-C or SIGTERM."
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
        help="daily-tip requests waiting for Telegram at once (env BACKCARE_MAX_IN_FLIGHT, "
        "default 16); a tip whose request is in flight when the bot is killed is not sent "
        "again",
    )
    run.add_argument(
        "--paid-broadcast",
        action="store_true",
        default=None,
        help="send daily tips as paid broadcasts (up to 1,000 a second, charged in Telegram "
        "Stars; env BACKCARE_PAID_BROADCAST=1); raise --send-rate to match",
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `backcare-bot` command; returns the exit code."""
    args = _parser().parse_args(argv)
    logs.configure(logging.WARNING if args.command == "chat" else args.log_level)
    if args.command == "content":
        from bot import contentcli

        if args.content_command == "check":
            return contentcli.check(sys.stdout)
        return contentcli.preview(args.lang, sys.stdout)
    try:
        if args.command == "chat":
            settings = Settings.from_env(require_token=False)
            settings = Settings(
                token="0:local-chat",
                db_path=args.db or Path("backcare-chat.db"),
                default_timezone=settings.default_timezone,
                api_base_url=settings.api_base_url,
            )
            from bot.terminal import chat

            return asyncio.run(chat(settings, language_code=args.lang))
        overrides = {
            name: value
            for name, value in (
                ("BACKCARE_SEND_RATE", args.send_rate),
                ("BACKCARE_MAX_IN_FLIGHT", args.max_in_flight),
                ("BACKCARE_PAID_BROADCAST", "1" if args.paid_broadcast else None),
            )
            if value is not None
        }
        settings = Settings.from_env(overrides=overrides)
        # From here on the token is known: keep it out of every log line and traceback.
        logs.configure(args.log_level, secrets=[settings.token])
        application = build_application(settings)
    except (ConfigError, ContentError) as error:
        print(f"backcare-bot: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    logger.info("starting; database %s", settings.db_path)
    application.run_polling(allowed_updates=Update.ALL_TYPES)
    logger.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
