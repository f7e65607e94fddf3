"""The terminal chat as a client: which button a typed line presses, what an edit shows,
the prompt, the pictures' folder, file ids across runs, the location button, /broadcast."""

from __future__ import annotations

import io
import json
import tempfile
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot.config import Settings
from bot.console.localapi import BotApiError, LocalBotApi
from bot.console.terminal import CHAT_ID, LOCATION_HINT, LocalRequest, Press, Terminal, chat, place
from bot.render import settings as render_settings
from content import Content, load
from content.markup import plain
from storage import Caution
from storage.store import Store
from tests.bot.test_localapi_photos import png, upload

CHAT = 42


def keyboard(*rows: list[str]) -> InlineKeyboardMarkup:
    """Buttons whose callback data is their label with a "d:" in front."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=f"d:{label}") for label in row] for row in rows]
    )


def terminal_for(api: LocalBotApi, tmp_path: Path) -> tuple[Terminal, io.StringIO]:
    output = io.StringIO()
    terminal = Terminal(output, color=False, files=api.files, pictures=tmp_path / "files")
    api.on_call = terminal.show
    return terminal, output


async def test_any_visible_keyboard_can_be_pressed_until_an_edit_takes_it(tmp_path: Path) -> None:
    api = LocalBotApi()
    terminal, output = terminal_for(api, tmp_path)
    async with Bot("1:LOCAL", request=LocalRequest(api)) as bot:
        first = await bot.send_message(CHAT, "first", reply_markup=keyboard(["a", "b"]))
        await bot.send_message(CHAT, "plain")
        second = await bot.send_message(CHAT, "second", reply_markup=keyboard(["c"], ["d"]))
        assert output.getvalue().splitlines() == [
            "bot #1> first",
            "     [1] a   [2] b",
            "bot> plain",
            "bot #2> second",
            "     [1] c",
            "     [2] d",
        ]
        # The older message's buttons still work; plain numbers are the newest keyboard's.
        assert terminal.button("1.2") == Press(first.message_id, "d:b")
        assert terminal.button("2") == Press(second.message_id, "d:d")
        assert terminal.button("2.1") == Press(second.message_id, "d:c")
        await bot.edit_message_text("first, done", chat_id=CHAT, message_id=first.message_id)
    assert output.getvalue().splitlines()[-1] == "bot #1 (edited)> first, done"
    # Dead: a short answer, nothing pressed.
    assert terminal.button("1.1") == (
        "[message #1 has no button 1 (an edit took its buttons away): nothing pressed]"
    )
    assert terminal.button("9.1") == "[no message #9 with buttons: nothing pressed]"
    assert terminal.button("2.3") == "[message #2 has no button 3: nothing pressed]"
    assert terminal.button("2") == Press(second.message_id, "d:d")  # still the newest
    assert terminal.button("3") is None  # no third button: sent as text
    assert terminal.button("hello") is None


async def test_plain_numbers_stop_once_the_newest_keyboard_is_taken(tmp_path: Path) -> None:
    api = LocalBotApi()
    terminal, _ = terminal_for(api, tmp_path)
    async with Bot("1:LOCAL", request=LocalRequest(api)) as bot:
        sent = await bot.send_message(CHAT, "session", reply_markup=keyboard(["Stop"]))
        await bot.edit_message_text("stopped", chat_id=CHAT, message_id=sent.message_id)
    assert terminal.button("1") == "[the buttons of message #1 were taken away: nothing pressed]"


async def test_a_number_label_is_pressed_by_its_number(tmp_path: Path) -> None:
    api = LocalBotApi()
    terminal, output = terminal_for(api, tmp_path)
    scores = [str(score) for score in range(11)]
    async with Bot("1:LOCAL", request=LocalRequest(api)) as bot:
        sent = await bot.send_message(
            CHAT, "How is it?", reply_markup=keyboard(scores[:6], scores[6:], ["Red flag"])
        )
    assert output.getvalue().splitlines()[1:] == [
        "     [0]   [1]   [2]   [3]   [4]   [5]",
        "     [6]   [7]   [8]   [9]   [10]",
        "     [1.12] Red flag",
    ]
    assert terminal.button("7") == Press(sent.message_id, "d:7")  # not the 7th button ("6")
    assert terminal.button("0") == Press(sent.message_id, "d:0")
    assert terminal.button("10") == Press(sent.message_id, "d:10")
    assert terminal.button("12") == (
        "[no button labelled 12 on message #1: type 1.N for its N-th button]"
    )
    assert terminal.button("1.12") == Press(sent.message_id, "d:Red flag")
    assert terminal.button("1.8") == Press(sent.message_id, "d:7")  # by position: explicit


async def test_an_edit_of_the_keyboard_alone_is_shown(tmp_path: Path) -> None:
    api = LocalBotApi()
    terminal, output = terminal_for(api, tmp_path)
    async with Bot("1:LOCAL", request=LocalRequest(api)) as bot:
        sent = await bot.send_message(CHAT, "tip", reply_markup=keyboard(["Later", "Why?"]))
        await bot.edit_message_reply_markup(CHAT, sent.message_id, reply_markup=keyboard(["Undo"]))
        assert terminal.button("1") == Press(sent.message_id, "d:Undo")
        await bot.edit_message_reply_markup(CHAT, sent.message_id, reply_markup=None)
    assert output.getvalue().splitlines() == [
        "bot #1> tip",
        "     [1] Later   [2] Why?",
        "bot #1 (edited)> [new buttons]",
        "     [1] Undo",
        "bot #1 (edited)> [buttons taken away]",
    ]
    assert terminal.button("1.1") == (
        "[message #1 has no button 1 (an edit took its buttons away): nothing pressed]"
    )


async def test_the_location_button_is_offered_as_a_place_or_coordinates(tmp_path: Path) -> None:
    api = LocalBotApi()
    terminal, output = terminal_for(api, tmp_path)
    async with Bot("1:LOCAL", request=LocalRequest(api)) as bot:
        offer = render_settings.location_offer(load("en"))
        await bot.send_message(CHAT, offer.text, reply_markup=offer.keyboard)
        assert terminal.location_offered
        done = render_settings.location_done(load("en"), None)
        await bot.send_message(CHAT, done.text, reply_markup=done.keyboard)
    assert f"     [📍 Send my location: {LOCATION_HINT}]" in output.getvalue().splitlines()
    assert LOCATION_HINT == "type a place name or latitude,longitude"
    assert not terminal.location_offered


@pytest.mark.parametrize(
    ("line", "where"),
    [
        ("52.5, 13.4", (52.5, 13.4)),
        ("-33.9,151.2", (-33.9, 151.2)),
        ("Berlin", (52.52, 13.41)),
        ("new york", (40.71, -74.01)),
        ("北京", (39.91, 116.40)),
        ("Europe/London", (51.51, -0.13)),
        ("Qwxzville", None),
        ("7", None),
    ],
)
def test_a_place_is_coordinates_or_a_city_in_either_language(
    line: str, where: tuple[float, float] | None
) -> None:
    found = place(line)
    if where is None:
        assert found is None
    else:
        assert found == pytest.approx(where, abs=0.01)


async def test_a_file_id_from_another_instance_is_refused() -> None:
    first, second = LocalBotApi(), LocalBotApi()
    sent = await first.handle("sendPhoto", {"chat_id": CHAT, "photo": upload()})
    await second.handle("sendPhoto", {"chat_id": CHAT, "photo": upload(png(10, 10))})
    with pytest.raises(BotApiError, match="wrong file identifier"):
        await second.handle("sendPhoto", {"chat_id": CHAT, "photo": sent["photo"][-1]["file_id"]})


class Typing(io.StringIO):
    """Standard input at a terminal: lines typed by a person."""

    def isatty(self) -> bool:
        return True


def chat_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "token": "0:local-chat",
        "api_base_url": "https://api.telegram.org",
        "db_path": tmp_path / "backcare-chat.db",
        "default_timezone": "UTC",
        "tick_seconds": 0.05,
        "chat_rate": 0,
    }
    return Settings(**(values | overrides))


async def run_chat(
    tmp_path: Path, script: str, *, typing: bool = False, **overrides: Any
) -> list[str]:
    output = io.StringIO()
    stream = Typing(script) if typing else io.StringIO(script)
    code = await chat(chat_settings(tmp_path, **overrides), input_stream=stream, output=output)
    assert code == 0
    return output.getvalue().splitlines()


async def test_a_prompt_only_when_a_person_types(tmp_path: Path) -> None:
    typed = await run_chat(tmp_path, "/help\n", typing=True)
    answered = next(line for line in typed if line.startswith("you> "))
    assert answered.startswith("you> bot> ")  # the prompt, then the answer under it
    assert not any(line.startswith("you> /help") for line in typed)  # no echo
    scripted = await run_chat(tmp_path, "/help\n")
    assert "you> /help" in scripted
    assert not any(line.startswith("you> bot>") for line in scripted)


async def test_pictures_are_kept_in_a_named_folder_and_no_temporary_one_is_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    lines = await run_chat(tmp_path, "/technique\n")
    folder = tmp_path / "backcare-chat-files"
    assert lines[-1] == f"Pictures and files from this chat are in {folder}"
    (picture,) = folder.iterdir()
    assert f"[picture: {picture}]" in "\n".join(lines)
    assert list(temporary.iterdir()) == []
    # A chat that was sent no picture names no folder.
    again = await run_chat(tmp_path / "tmp", "/help\n")
    assert "Pictures and files" not in again[-1]


async def test_a_second_chat_uploads_the_pictures_again(tmp_path: Path) -> None:
    first = await run_chat(tmp_path, "/technique\n")
    second = await run_chat(tmp_path, "/technique\n")
    assert not any("refused" in line for line in first + second)
    pictures = [line for line in first + second if "[picture: " in line]
    assert len(pictures) == 2 and pictures[0] != pictures[1]  # each run's own upload
    store = Store(tmp_path / "backcare-chat.db")
    try:
        file_id = store.file_id("en/overview")
    finally:
        store.close()
    assert file_id is not None and file_id in pictures[1]


async def test_an_operator_broadcasts_by_replying_with_a_caret(
    tmp_path: Path, content: Content
) -> None:
    lines = await run_chat(
        tmp_path, "Hello, everyone\n^ /broadcast\n", admin_ids=frozenset({CHAT_ID})
    )
    assert "you> ^ /broadcast" in lines
    after = lines[lines.index("you> ^ /broadcast") + 1 :]
    assert after[0] == "bot> Hello, everyone"  # the copy subscribers would get
    assert "Above is the message as subscribers will see it" in after[1]
    assert "You are user 1000" in lines[0]


async def test_a_place_or_coordinates_typed_under_the_location_button_set_the_timezone(
    tmp_path: Path,
) -> None:
    lines = await run_chat(tmp_path, "/timezone\nBerlin\n/timezone\n40.7,-74.0\nBerlin\n")
    answers = [line for line in lines if "Your timezone is now" in line]
    assert len(answers) == 2
    assert "Europe/Berlin" in answers[0] and "America/New_York" in answers[1]
    # Once the button is gone, a place name is text again (the bot's usual answer to text).
    assert lines.index(answers[1]) < len(lines) - 2
    assert "Your timezone is now" not in lines[-1]


class TryingTheApp(io.StringIO):
    """Standard input that, before the first line, uses the Mini App the chat printed, as
    a desktop browser would: starts a session and stops it for pain."""

    def __init__(self, output: io.StringIO) -> None:
        super().__init__()
        self.output = output
        self.answers: list[tuple[int, Any]] = []

    def readline(self, size: int = -1, /) -> str:  # type: ignore[override]  # as typeshed
        if self.answers:
            return ""
        address = next(
            line.split("guided session: ", 1)[1]
            for line in self.output.getvalue().splitlines()
            if "guided session: " in line
        )
        page, _, fragment = address.partition("#")
        launch = parse_qs(fragment)["tgWebAppData"][0]
        headers = {"Authorization": f"tma {launch}", "Content-Type": "application/json"}

        def call(path: str, body: Any = None) -> tuple[int, Any]:
            data = None if body is None else json.dumps(body).encode()
            request = urllib.request.Request(page + path, data=data, headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    return response.status, json.loads(response.read() or b"null")
            except urllib.error.HTTPError as error:
                return error.code, None

        self.answers.append(call("api/state"))
        status, started = call("api/sessions", {"technique": "kneading"})
        self.answers.append((status, started))
        self.answers.append(call(f"api/sessions/{started['session']['id']}/pain", {}))
        return ""


async def test_chat_serves_the_mini_app_and_prints_its_signed_address(
    tmp_path: Path, content: Content
) -> None:
    store = Store(tmp_path / "backcare-chat.db")
    store.migrate()
    store.set_caution(CHAT_ID, Caution.NONE, datetime.now(UTC))
    store.close()
    output = io.StringIO()
    stream = TryingTheApp(output)
    assert await chat(chat_settings(tmp_path), input_stream=stream, output=output) == 0
    assert [status for status, _ in stream.answers] == [200, 201, 200]
    lines = output.getvalue().splitlines()
    assert lines[1].startswith("The Mini App, for a browser on this machine")
    assert lines[2].startswith("     guided session: http://127.0.0.1:")
    assert lines[3].startswith("     progress: http://127.0.0.1:") and "progress.html#" in lines[3]
    # The pain stop's warning signs came into the chat through the local Bot API.
    urgent = plain(content.pages["urgent"]).strip().splitlines()[0]
    assert any(urgent in line for line in lines[4:])
