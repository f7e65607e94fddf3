"""Settings, read once at start from the environment (and a .env file, if present)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dotenv import dotenv_values

from bot import logs
from storage import DEFAULT_KEEP_DAYS, MAX_KEEP_DAYS, MIN_KEEP_DAYS, schedule

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
#: Telegram allows about 30 messages a second in bulk; 25 leaves room for replies.
DEFAULT_SEND_RATE = 25.0
DEFAULT_MAX_IN_FLIGHT = 16
#: What @BotFather gives: the bot's id, a colon, then letters, digits, - and _ (about 35).
#: README's example (123456789:AAE…) fails it, so a pasted placeholder is refused before
#: any request; a token of the right shape that Telegram refuses is found by getMe.
_TOKEN_SHAPE = re.compile(r"\d+:[A-Za-z0-9_-]+")
#: A bearer token for /metrics: long enough that guessing it is hopeless.
MIN_METRICS_TOKEN = 16


class ConfigError(ValueError):
    """A missing or bad setting; the message is one line meant for the person starting the bot."""


@dataclass(frozen=True)
class Settings:
    """Everything the bot is configured with. The token and the webhook secret are left out
    of ``repr``, so neither can reach a log line or a traceback through it."""

    token: str = field(repr=False)
    db_path: Path
    default_timezone: str
    api_base_url: str
    #: Seconds between runs of the delivery job; a tip is sent at most this late.
    tick_seconds: float = 20.0
    #: Seconds from start to the delivery job's first run (APScheduler cannot start a job at
    #: once); a test that waits for the first run can make it short.
    first_tick_seconds: float = 1.0
    #: Messages per second in all (replies and tips); 0 turns pacing off.
    send_rate: float = DEFAULT_SEND_RATE
    #: Replies per second to one chat, sustained (bursts of 3; groups a third of it); 0: off.
    chat_rate: float = 1.0
    #: Requests in flight at once, for each job that sends in bulk (the one fan-out).
    max_in_flight: int = DEFAULT_MAX_IN_FLIGHT
    #: Send every bulk message (daily tips, put-off tips, look backs, broadcasts; never a
    #: reply) as a paid broadcast (allow_paid_broadcast: up to 1,000 a second, for a fee in
    #: Telegram Stars); pair it with a higher send_rate, which they all share.
    paid_broadcast: bool = False
    #: Seconds to wait for Telegram's answer to one bulk message before trying again.
    send_timeout: float = 10.0
    #: First pause before trying a failed message again; it doubles each try.
    send_backoff: float = 0.5
    #: Days the delivery log and broadcast copies are kept (their daily counts stay).
    keep_days: int = DEFAULT_KEEP_DAYS
    #: Telegram user ids allowed to use /stats and /broadcast.
    admin_ids: frozenset[int] = frozenset()
    #: Webhook mode when set: the public HTTPS URL Telegram posts updates to.
    webhook_url: str | None = None
    #: Where the webhook server listens, and the local path it serves (default: the URL's).
    listen: str = "127.0.0.1"
    port: int = 8443
    url_path: str | None = None
    #: Serve /metrics on this port of ``metrics_listen`` (both modes); None: not served.
    metrics_port: int | None = None
    metrics_listen: str = "127.0.0.1"
    #: When set, /metrics asks for ``Authorization: Bearer <it>`` wherever it is served, and
    #: is served on the webhook's listener too; unset, only on the metrics port.
    metrics_token: str | None = field(default=None, repr=False)
    #: Telegram sends it in X-Telegram-Bot-Api-Secret-Token; other requests are refused.
    secret_token: str | None = field(default=None, repr=False)
    #: The Mini App's public https:// address, ending in "/" (its path is served as the
    #: bot's /app/); None: no Mini App, and the bot says nothing about one.
    webapp_url: str | None = None
    #: Polling mode: serve the Mini App on this port of ``web_listen`` (0: a free port the
    #: OS picks, for tests and chat mode); webhook mode serves it beside the webhook.
    web_port: int | None = None
    web_listen: str = "127.0.0.1"
    #: How much to log (one of logs.LEVELS) and how (one of logs.FORMATS).
    log_level: str = "INFO"
    log_format: str = "text"

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str] | None = None,
        *,
        require_token: bool = True,
        overrides: Mapping[str, str] | None = None,
        dotenv: Path | None = Path(".env"),
    ) -> Settings:
        """Build the settings from ``env`` (default: the process environment plus ``.env``).

        Variables already in the environment win over the .env file; ``overrides`` (from
        the command line) win over both.

        Raises:
            ConfigError: naming the variable that is missing or wrong.
        """
        if env is None:
            file_values = dotenv_values(dotenv) if dotenv is not None and dotenv.is_file() else {}
            env = {**{k: v for k, v in file_values.items() if v is not None}, **os.environ}
        if overrides:
            env = {**env, **overrides}
        # First: a bad log setting is reported even before a missing token.
        log_level = env.get("BACKCARE_LOG_LEVEL", "").strip().upper() or "INFO"
        if log_level not in logs.LEVELS:
            raise ConfigError(
                f"BACKCARE_LOG_LEVEL={env['BACKCARE_LOG_LEVEL'].strip()!r} must be one of "
                + ", ".join(logs.LEVELS)
            )
        log_format = env.get("BACKCARE_LOG_FORMAT", "").strip().lower() or "text"
        if log_format not in logs.FORMATS:
            raise ConfigError(
                f"BACKCARE_LOG_FORMAT={env['BACKCARE_LOG_FORMAT'].strip()!r} must be text or json"
            )
        token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
        if require_token and not token:
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather in Telegram "
                "and set it in the environment or in a .env file"
            )
        if token and not _TOKEN_SHAPE.fullmatch(token):
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN looks wrong: paste the whole token @BotFather sent (the "
                "bot's number, a colon, then about 35 letters, digits, - and _), not an example"
            )
        timezone_value = env.get("BACKCARE_TIMEZONE", "UTC").strip() or "UTC"
        default_timezone = schedule.parse_timezone(timezone_value)
        if default_timezone is None:
            raise ConfigError(
                f"BACKCARE_TIMEZONE={timezone_value!r} is not a timezone: use an IANA name "
                "such as Europe/Berlin, or a UTC offset such as +08:00"
            )
        base_url = env.get("TELEGRAM_API_BASE_URL", "").strip() or DEFAULT_API_BASE_URL
        if not base_url.startswith(("http://", "https://")):
            raise ConfigError(
                f"TELEGRAM_API_BASE_URL={base_url!r} must start with http:// or https://, "
                "e.g. http://localhost:8081/bot"
            )
        return cls(
            token=token,
            db_path=Path(env.get("BACKCARE_DB", "").strip() or "backcare.db"),
            default_timezone=default_timezone,
            api_base_url=base_url,
            send_rate=_number(env, "BACKCARE_SEND_RATE", DEFAULT_SEND_RATE, float, 0, 1000),
            chat_rate=_number(env, "BACKCARE_CHAT_RATE", 1.0, float, 0, 30),
            max_in_flight=_number(
                env, "BACKCARE_MAX_IN_FLIGHT", DEFAULT_MAX_IN_FLIGHT, int, 1, 256
            ),
            paid_broadcast=_flag(env, "BACKCARE_PAID_BROADCAST"),
            keep_days=_number(
                env,
                "BACKCARE_KEEP_DAYS",
                DEFAULT_KEEP_DAYS,
                int,
                MIN_KEEP_DAYS,
                MAX_KEEP_DAYS,
            ),
            admin_ids=_ids(env, "BACKCARE_ADMIN_IDS"),
            log_level=log_level,
            log_format=log_format,
            **_webhook(env),
            **_webapp(env),
        )


def _flag(env: Mapping[str, str], name: str) -> bool:
    """Read a yes/no setting, or raise a ConfigError that says what is accepted."""
    raw = env.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"{name}={raw!r} must be 1 or 0 (or yes/no, true/false, on/off)")


def _number(
    env: Mapping[str, str], name: str, default: Any, kind: type, low: float, high: float
) -> Any:
    """Read a number setting, or raise a ConfigError that says what is accepted."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise ConfigError(f"{name}={raw!r} must be a number from {low:g} to {high:g}")
    return value


def _ids(env: Mapping[str, str], name: str) -> frozenset[int]:
    """Read a comma-separated list of Telegram user ids."""
    raw = env.get(name, "").strip()
    ids = set()
    for part in filter(None, (p.strip() for p in raw.split(","))):
        if not part.lstrip("-").isdigit():
            raise ConfigError(
                f"{name}={raw!r} must be Telegram user ids separated by commas, e.g. 12345,67890"
            )
        ids.add(int(part))
    return frozenset(ids)


def _webhook(env: Mapping[str, str]) -> dict[str, Any]:
    """Read the webhook settings; all empty means long polling."""
    url = env.get("BACKCARE_WEBHOOK_URL", "").strip() or None
    if url is not None and not url.startswith("https://"):
        raise ConfigError(
            f"BACKCARE_WEBHOOK_URL={url!r} must be an https:// URL that reaches this bot, "
            "e.g. https://bot.example.org/telegram"
        )
    secret = env.get("BACKCARE_WEBHOOK_SECRET", "").strip() or None
    # Telegram's rule for secret_token: 1–256 characters, A-Z, a-z, 0-9, _ and -.
    if secret is not None and not (
        len(secret) <= 256 and all(c.isascii() and (c.isalnum() or c in "_-") for c in secret)
    ):
        raise ConfigError(
            "BACKCARE_WEBHOOK_SECRET must be 1 to 256 characters of A-Z, a-z, 0-9, _ and -"
        )
    path = env.get("BACKCARE_WEBHOOK_PATH", "").strip() or None
    if path is not None and not path.startswith("/"):
        path = "/" + path
    return {
        "webhook_url": url,
        "listen": env.get("BACKCARE_LISTEN", "").strip() or "127.0.0.1",
        "port": _number(env, "BACKCARE_PORT", 8443, int, 1, 65535),
        "url_path": path,
        "secret_token": secret,
        "metrics_port": _number(env, "BACKCARE_METRICS_PORT", 0, int, 0, 65535) or None,
        "metrics_listen": env.get("BACKCARE_METRICS_LISTEN", "").strip() or "127.0.0.1",
        "metrics_token": _metrics_token(env),
    }


def _webapp(env: Mapping[str, str]) -> dict[str, Any]:
    """Read the Mini App's settings: its https:// address, and in polling mode the port
    that serves it. Unset, there is no Mini App."""
    url = env.get("BACKCARE_WEBAPP_URL", "").strip() or None
    port = _number(env, "BACKCARE_WEB_PORT", 0, int, 0, 65535) or None
    listen = env.get("BACKCARE_WEB_LISTEN", "").strip() or "127.0.0.1"
    webhook = env.get("BACKCARE_WEBHOOK_URL", "").strip()
    if url is None:
        if port is not None:
            raise ConfigError(
                "BACKCARE_WEB_PORT serves the Mini App only: set BACKCARE_WEBAPP_URL too, "
                "or leave BACKCARE_WEB_PORT unset"
            )
        return {}
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(
            f"BACKCARE_WEBAPP_URL={url!r} must be an https:// address without a query, whose "
            "path reaches the bot's /app/, e.g. https://bot.example.org/app/ (Telegram opens "
            "Mini Apps over HTTPS only)"
        )
    if not url.endswith("/"):
        url += "/"  # the pages' own addresses are relative to it
    if webhook and port is not None:
        raise ConfigError(
            "BACKCARE_WEB_PORT is for polling mode: with BACKCARE_WEBHOOK_URL the Mini App is "
            "served beside the webhook (BACKCARE_PORT); leave BACKCARE_WEB_PORT unset"
        )
    if not webhook and port is None:
        raise ConfigError(
            "BACKCARE_WEBAPP_URL needs BACKCARE_WEB_PORT in polling mode: the port the bot "
            "serves the Mini App on, behind a reverse proxy with TLS (e.g. 8444)"
        )
    return {"webapp_url": url, "web_port": port, "web_listen": listen}


def _metrics_token(env: Mapping[str, str]) -> str | None:
    """Read BACKCARE_METRICS_TOKEN: printable ASCII without spaces, at least 16 long."""
    token = env.get("BACKCARE_METRICS_TOKEN", "").strip() or None
    if token is not None and not (
        len(token) >= MIN_METRICS_TOKEN
        and all(c.isascii() and c.isprintable() and not c.isspace() for c in token)
    ):
        raise ConfigError(
            f"BACKCARE_METRICS_TOKEN must be at least {MIN_METRICS_TOKEN} characters of "
            "ASCII without spaces, e.g. from `openssl rand -hex 32`"
        )
    return token


def check_db_path(path: Path) -> None:
    """Check that ``path`` can be the database file: not a folder, in a folder that exists.

    Raises:
        ConfigError: naming BACKCARE_DB and what is wrong with it.
    """
    if path.is_dir():
        raise ConfigError(
            f"BACKCARE_DB={str(path)!r} is a folder: name a file in it, e.g. "
            f"{str(path / 'backcare.db')!r}"
        )
    folder = path.parent
    if not folder.is_dir():
        raise ConfigError(
            f"BACKCARE_DB={str(path)!r}: the folder {str(folder)!r} does not exist; create it "
            "(owned by the bot's user) or name a file in a folder that does"
        )
