"""Mini App buttons and the menu button in the local Bot API, checked as Telegram checks them:
HTTPS addresses only, web_app buttons in private chats only."""

from __future__ import annotations

from typing import Any

import pytest

from bot.console.localapi import BotApiError, LocalBotApi

USER = 42
GROUP = -100123
APP = "https://bot.example.org/app/"


def keyboard(url: str) -> dict[str, Any]:
    return {"inline_keyboard": [[{"text": "Open", "web_app": {"url": url}}]]}


async def send(api: LocalBotApi, chat_id: int, url: str) -> Any:
    return await api.handle(
        "sendMessage", {"chat_id": chat_id, "text": "Hi", "reply_markup": keyboard(url)}
    )


async def test_a_web_app_button_in_a_private_chat_is_kept() -> None:
    api = LocalBotApi()
    message = await send(api, USER, APP + "?technique=kneading")
    assert message["reply_markup"] == keyboard(APP + "?technique=kneading")


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("http://bot.example.org/app/", id="http"),
        pytest.param("https://", id="no-host"),
        pytest.param("", id="empty"),
    ],
)
async def test_a_web_app_button_needs_https(url: str) -> None:
    with pytest.raises(BotApiError, match="Only HTTPS links are allowed"):
        await send(LocalBotApi(), USER, url)


async def test_a_web_app_button_in_a_group_is_refused() -> None:
    with pytest.raises(BotApiError, match="BUTTON_TYPE_INVALID"):
        await send(LocalBotApi(), GROUP, APP)


async def test_the_menu_button_is_kept_and_read_back() -> None:
    api = LocalBotApi()
    assert await api.handle("getChatMenuButton", {}) == {"type": "default"}
    button = {"type": "web_app", "text": "Guided session", "web_app": {"url": APP}}
    assert await api.handle("setChatMenuButton", {"menu_button": button}) is True
    assert await api.handle("getChatMenuButton", {}) == button
    await api.handle("setChatMenuButton", {"menu_button": {"type": "commands"}})
    assert api.menu_button == {"type": "commands"}


@pytest.mark.parametrize(
    ("params", "error"),
    [
        pytest.param(
            {"menu_button": {"type": "web_app", "text": "Go", "web_app": {"url": "http://x/"}}},
            "Only HTTPS",
            id="http",
        ),
        pytest.param(
            {"menu_button": {"type": "web_app", "text": " ", "web_app": {"url": APP}}},
            "text is empty",
            id="no-text",
        ),
        pytest.param({"menu_button": {"type": "url"}}, "unsupported", id="type"),
        pytest.param(
            {"chat_id": GROUP, "menu_button": {"type": "commands"}}, "chat not found", id="group"
        ),
    ],
)
async def test_a_bad_menu_button_is_refused(params: dict[str, Any], error: str) -> None:
    api = LocalBotApi()
    with pytest.raises(BotApiError, match=error):
        await api.handle("setChatMenuButton", params)
    assert api.menu_button == {"type": "default"}
