"""Settings from the environment: clear errors for the person starting the bot, safe defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import DEFAULT_API_BASE_URL, ConfigError, Settings

TOKEN = "123456:ABC-secret-token"


def from_env(**env: str) -> Settings:
    return Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, **env})


@pytest.mark.parametrize(
    "env",
    [
        pytest.param({}, id="missing"),
        pytest.param({"TELEGRAM_BOT_TOKEN": ""}, id="empty"),
        pytest.param({"TELEGRAM_BOT_TOKEN": "  \t"}, id="blank"),
    ],
)
def test_missing_token_names_the_variable_and_botfather(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError) as raised:
        Settings.from_env(env)
    assert "TELEGRAM_BOT_TOKEN" in str(raised.value)
    assert "@BotFather" in str(raised.value)


def test_token_is_not_required_when_asked() -> None:
    assert Settings.from_env({}, require_token=False).token == ""


def test_token_is_stripped() -> None:
    assert Settings.from_env({"TELEGRAM_BOT_TOKEN": f"  {TOKEN}\n"}).token == TOKEN


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("123456:ABC DEF", id="inner-space"),
        pytest.param("https://api.telegram.org/bot123456:ABC", id="url"),
        pytest.param("123456789:AAE…", id="readme-placeholder"),
        pytest.param("123456789:AAE...", id="placeholder-with-dots"),
        pytest.param("AAEhBOweik6ad9r_QXMENQjcrGbqCr4K", id="no-bot-number"),
    ],
)
def test_malformed_token_names_the_variable(token: str) -> None:
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN"):
        Settings.from_env({"TELEGRAM_BOT_TOKEN": token})


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("Mars/Base", id="unknown-name"),
        pytest.param("+15:00", id="offset-too-large"),
        pytest.param("tomorrow", id="word"),
    ],
)
def test_bad_timezone_names_the_variable(value: str) -> None:
    with pytest.raises(ConfigError, match="BACKCARE_TIMEZONE"):
        from_env(BACKCARE_TIMEZONE=value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("+08:00", "UTC+08:00", id="offset"),
        pytest.param("europe/berlin", "Europe/Berlin", id="iana-lower-case"),
        pytest.param("  ", "UTC", id="blank"),
    ],
)
def test_timezone_is_canonical(value: str, expected: str) -> None:
    assert from_env(BACKCARE_TIMEZONE=value).default_timezone == expected


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("localhost:8081/bot", id="no-scheme"),
        pytest.param("ftp://example.org/bot", id="ftp"),
    ],
)
def test_base_url_without_http_names_the_variable(url: str) -> None:
    with pytest.raises(ConfigError, match="TELEGRAM_API_BASE_URL"):
        from_env(TELEGRAM_API_BASE_URL=url)


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("http://localhost:8081/bot", id="http"),
        pytest.param("https://example.org/bot", id="https"),
    ],
)
def test_base_url_with_http_is_kept(url: str) -> None:
    assert from_env(TELEGRAM_API_BASE_URL=url).api_base_url == url


def test_db_path_is_taken_from_the_environment() -> None:
    assert from_env(BACKCARE_DB="/data/bot.db").db_path == Path("/data/bot.db")


def test_default_db_path() -> None:
    assert from_env().db_path == Path("backcare.db")


def test_default_timezone_is_utc() -> None:
    assert from_env().default_timezone == "UTC"


def test_default_api_base_url() -> None:
    assert from_env().api_base_url == DEFAULT_API_BASE_URL == "https://api.telegram.org/bot"


def test_blank_values_fall_back_to_defaults() -> None:
    settings = from_env(BACKCARE_DB=" ", TELEGRAM_API_BASE_URL="")
    assert (settings.db_path, settings.api_base_url) == (Path("backcare.db"), DEFAULT_API_BASE_URL)


def test_repr_hides_the_token() -> None:
    settings = from_env()
    assert TOKEN not in repr(settings)
    assert TOKEN not in str(settings)


def test_repr_hides_the_webhook_secret_and_shows_the_rest() -> None:
    secret = "s3cret-Value_for-the-webhook"
    settings = from_env(BACKCARE_WEBHOOK_SECRET=secret, BACKCARE_ADMIN_IDS="7")
    assert secret not in repr(settings)
    # Every other field is shown: a field added later cannot be forgotten in a hand-made repr.
    assert "admin_ids=frozenset({7})" in repr(settings) and "log_format='text'" in repr(settings)


@pytest.mark.parametrize(
    ("level", "fmt", "expected"),
    [
        pytest.param("", "", ("INFO", "text"), id="defaults"),
        pytest.param("debug", "JSON", ("DEBUG", "json"), id="any-case"),
        pytest.param(" warning ", " text ", ("WARNING", "text"), id="spaces"),
    ],
)
def test_log_level_and_format(level: str, fmt: str, expected: tuple[str, str]) -> None:
    settings = from_env(BACKCARE_LOG_LEVEL=level, BACKCARE_LOG_FORMAT=fmt)
    assert (settings.log_level, settings.log_format) == expected


@pytest.mark.parametrize(
    ("name", "value"),
    [
        pytest.param("BACKCARE_LOG_LEVEL", "chatty", id="level"),
        pytest.param("BACKCARE_LOG_FORMAT", "xml", id="format"),
    ],
)
def test_bad_log_settings_are_named(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        from_env(**{name: value})


def test_explicit_env_ignores_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKCARE_TIMEZONE", "Asia/Tokyo")
    assert from_env().default_timezone == "UTC"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("", False, id="unset"),
        pytest.param("1", True, id="one"),
        pytest.param("yes", True, id="yes"),
        pytest.param("off", False, id="off"),
    ],
)
def test_paid_broadcast_flag(raw: str, expected: bool) -> None:
    env = {"TELEGRAM_BOT_TOKEN": "1:x", "BACKCARE_PAID_BROADCAST": raw}
    assert Settings.from_env(env).paid_broadcast is expected


def test_bad_paid_broadcast_flag_names_the_variable() -> None:
    env = {"TELEGRAM_BOT_TOKEN": "1:x", "BACKCARE_PAID_BROADCAST": "maybe"}
    with pytest.raises(ConfigError, match="BACKCARE_PAID_BROADCAST"):
        Settings.from_env(env)


@pytest.mark.parametrize(
    "name", ["BACKCARE_SEND_RATE", "BACKCARE_CHAT_RATE", "BACKCARE_MAX_IN_FLIGHT"]
)
@pytest.mark.parametrize("raw", ["fast", "-1", "100000"])
def test_bad_sending_numbers_name_the_variable(name: str, raw: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({"TELEGRAM_BOT_TOKEN": "1:x", name: raw})


def test_replies_to_one_chat_are_paced_at_one_a_second_unless_set() -> None:
    assert Settings.from_env({"TELEGRAM_BOT_TOKEN": "1:x"}).chat_rate == 1.0
    env = {"TELEGRAM_BOT_TOKEN": "1:x", "BACKCARE_CHAT_RATE": "0"}
    assert Settings.from_env(env).chat_rate == 0


def test_command_line_overrides_the_environment() -> None:
    settings = Settings.from_env(
        {"TELEGRAM_BOT_TOKEN": "1:x", "BACKCARE_SEND_RATE": "10"},
        overrides={"BACKCARE_SEND_RATE": "0", "BACKCARE_MAX_IN_FLIGHT": "64"},
    )
    assert (settings.send_rate, settings.max_in_flight) == (0, 64)


def test_the_retention_window_is_90_days_unless_set() -> None:
    assert Settings.from_env({"TELEGRAM_BOT_TOKEN": "1:x"}).keep_days == 90
    env = {"TELEGRAM_BOT_TOKEN": "1:x", "BACKCARE_KEEP_DAYS": "30"}
    assert Settings.from_env(env).keep_days == 30
    flag = Settings.from_env(env, overrides={"BACKCARE_KEEP_DAYS": "365"})
    assert flag.keep_days == 365


@pytest.mark.parametrize("raw", ["6", "0", "-5", "ninety", "1.5", "36501"])
def test_a_retention_window_under_a_week_or_not_whole_days_is_refused(raw: str) -> None:
    with pytest.raises(ConfigError, match=r"BACKCARE_KEEP_DAYS=.* from 7 to 36500"):
        Settings.from_env({"TELEGRAM_BOT_TOKEN": "1:x", "BACKCARE_KEEP_DAYS": raw})


def test_metrics_are_on_loopback_without_a_token_unless_set() -> None:
    settings = from_env(BACKCARE_METRICS_PORT="9100")
    assert (settings.metrics_port, settings.metrics_listen) == (9100, "127.0.0.1")
    assert settings.metrics_token is None


def test_the_metrics_token_is_kept_out_of_repr() -> None:
    token = "0123456789abcdef-metrics"
    settings = from_env(BACKCARE_METRICS_TOKEN=token)
    assert settings.metrics_token == token and token not in repr(settings)


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("short", id="too-short"),
        pytest.param("0123456789 abcdefgh", id="inner-space"),
        pytest.param("0123456789abcdefé", id="not-ascii"),
    ],
)
def test_a_weak_or_unsendable_metrics_token_names_the_variable(token: str) -> None:
    with pytest.raises(ConfigError, match="BACKCARE_METRICS_TOKEN"):
        from_env(BACKCARE_METRICS_TOKEN=token)


def test_no_mini_app_unless_its_address_is_set() -> None:
    settings = from_env()
    assert (settings.webapp_url, settings.web_port) == (None, None)


def test_the_mini_app_in_polling_mode_is_served_on_loopback_unless_set() -> None:
    settings = from_env(BACKCARE_WEBAPP_URL="https://bot.example.org/app", BACKCARE_WEB_PORT="8444")
    assert settings.webapp_url == "https://bot.example.org/app/"
    assert (settings.web_port, settings.web_listen) == (8444, "127.0.0.1")


def test_the_mini_app_in_webhook_mode_needs_no_port() -> None:
    settings = from_env(
        BACKCARE_WEBAPP_URL="https://bot.example.org/app/",
        BACKCARE_WEBHOOK_URL="https://bot.example.org/telegram",
    )
    assert (settings.webapp_url, settings.web_port) == ("https://bot.example.org/app/", None)


@pytest.mark.parametrize(
    "env",
    [
        pytest.param({"BACKCARE_WEBAPP_URL": "http://bot.example.org/app/"}, id="http"),
        pytest.param({"BACKCARE_WEBAPP_URL": "https:///app/"}, id="no-host"),
        pytest.param({"BACKCARE_WEBAPP_URL": "https://x.org/app/?a=1"}, id="query"),
        pytest.param({"BACKCARE_WEBAPP_URL": "https://x.org/app/"}, id="polling-no-port"),
        pytest.param({"BACKCARE_WEB_PORT": "8444"}, id="port-without-url"),
        pytest.param(
            {
                "BACKCARE_WEBAPP_URL": "https://x.org/app/",
                "BACKCARE_WEBHOOK_URL": "https://x.org/hook",
                "BACKCARE_WEB_PORT": "8444",
            },
            id="port-in-webhook-mode",
        ),
    ],
)
def test_bad_mini_app_settings_name_the_variable(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError, match="BACKCARE_WEB"):
        from_env(**env)
