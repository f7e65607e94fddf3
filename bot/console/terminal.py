"""`backcare-bot chat`: the real Application, driven from the terminal through a local Bot API."""

from __future__ import annotations

import asyncio
import html
import io
import json
import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NamedTuple, TextIO

from PIL import Image
from telegram import Update
from telegram.request import BaseRequest, RequestData

from bot import places
from bot.app import build_application, running, start_webapp
from bot.config import Settings
from bot.console.localapi import BotApiError, Call, LocalBotApi, Upload
from bot.context import BotApplication
from bot.services import Clock, system_clock
from bot.web import miniapp
from bot.web.initdata import MAX_AGE

#: The one user of the terminal chat.
CHAT_ID = 1000
QUIT = "/quit"
#: Shown before each line you type, or before each line of a script as it is read.
PROMPT = "you> "
#: A line starting with this is a reply to your previous message.
REPLY = "^"


class LocalRequest(BaseRequest):
    """A PTB request object that answers every Bot API call from a LocalBotApi, without network."""

    def __init__(self, api: LocalBotApi) -> None:
        self.api = api

    @property
    def read_timeout(self) -> float | None:
        """No network, so no timeout."""
        return None

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        """Answer the Bot API method named at the end of ``url``."""
        params: dict[str, Any] = dict(request_data.parameters) if request_data else {}
        # PTB leaves an uploaded file out of ``parameters`` and puts it in ``multipart_data``
        # under the parameter's name (sendPhoto's "photo") or, for InputMedia, under the name
        # its "attach://<name>" points to: both become the part Telegram would receive.
        for name, (filename, content, mimetype) in (
            request_data.multipart_data.items() if request_data else ()
        ):
            data = content if isinstance(content, bytes) else content.read()
            params[name] = Upload(filename, data, mimetype)
        try:
            result = await self.api.handle(url.rsplit("/", 1)[-1], params)
        except BotApiError as error:
            body = {"ok": False, "error_code": error.code, "description": error.description}
            return error.code, json.dumps(body).encode()
        return 200, json.dumps({"ok": True, "result": result}).encode()


class Press(NamedTuple):
    """A button the user pressed: the message it is on and its callback data ("" for a
    button that only works in Telegram, such as the chat picker)."""

    message_id: int
    data: str


#: What a typed line may name: button B of message M, or a plain number.
_ADDRESS = re.compile(r"(\d+)\.(\d+)")
_NUMBER = re.compile(r"\d+")
_COORDINATES = re.compile(r"\s*([-+]?\d{1,3}(?:\.\d+)?)\s*,\s*([-+]?\d{1,3}(?:\.\d+)?)\s*")
#: The requests that put something in the chat.
_SHOWN = frozenset(
    (
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "copyMessage",
        "editMessageText",
        "editMessageMedia",
        "editMessageCaption",
        "editMessageReplyMarkup",
    )
)
#: What the location button becomes here: the terminal cannot share a place.
LOCATION_HINT = "type a place name or latitude,longitude"


class Terminal:
    """Prints what the bot sends and turns typed lines into updates.

    Every message shown with buttons gets a number, ``bot #3>``, which it keeps through its
    edits; ``3.2`` presses its second button for as long as the message shows it. A plain
    number is for the newest keyboard (see ``button``).
    """

    def __init__(
        self,
        output: TextIO,
        *,
        color: bool,
        files: Mapping[str, bytes],
        pictures: Path,
        messages: Mapping[tuple[int, int], Mapping[str, Any]] | None = None,
    ) -> None:
        self.output = output
        self.color = color
        #: The Bot API's files by file_id, and the folder pictures and files are saved in
        #: (made when the first one is).
        self.files = files
        self.pictures = pictures
        #: The Bot API's messages, to show a copy (copyMessage answers with its id only).
        self.messages = messages if messages is not None else {}
        self.saved = 0
        #: Numbered messages: their number by message id, and by number the message id and
        #: the buttons it shows now, as (label, callback data); [] once an edit took them.
        self.numbers: dict[int, int] = {}
        self.keyboards: dict[int, tuple[int, list[tuple[str, str]]]] = {}
        #: The number of the message whose buttons were shown last: plain numbers press these.
        self.newest: int | None = None
        #: Whether the bot's location button is showing (until a keyboard removal).
        self.location_offered = False
        #: The prompt when it is showing (interactive use only).
        self.prompt: str | None = None
        self.problems = 0
        self._shape: list[int] = []  # buttons per row of the keyboard being shown

    def show(self, call: Call) -> None:
        """Print one request the bot made, if a user would see it."""
        if call.error is not None:
            self.problems += 1
            self.say(f"[the Bot API refused {call.method}: {call.error}]")
            return
        if call.method == "answerCallbackQuery" and call.params.get("text"):
            self.say(f"bot (pop-up)> {call.params['text']}")
            return
        if call.method not in _SHOWN:
            return
        message = call.result
        markup = call.params.get("reply_markup") or {}
        keyboard = markup.get("inline_keyboard") or []
        if call.method == "editMessageReplyMarkup":
            label = self._label(message["message_id"], keyboard, edited=True)
            self.say(f"{label}> " + ("[new buttons]" if keyboard else "[buttons taken away]"))
            self._rows(message["message_id"])
            return
        copy = call.method == "copyMessage"
        if copy:
            message = self.messages.get((int(call.params["chat_id"]), message["message_id"]))
            if message is None:
                return
        label = self._label(message["message_id"], keyboard, edited=call.method.startswith("edit"))
        if call.method in ("sendMessage", "editMessageText") or (copy and "text" in message):
            self.say(f"{label}> " + self._indent(self._plain(str(message["text"]))))
        elif call.method in ("sendPhoto", "editMessageMedia") or (copy and "photo" in message):
            self.say(f"{label}> [picture: {self._save(message['photo'][-1]['file_id'])}]")
            if message.get("caption"):
                self.say("     " + self._indent(self._plain(message["caption"])))
        elif call.method == "sendDocument":
            document = message["document"]
            path = self._folder() / f"{document['file_id']}-{Path(document['file_name']).name}"
            path.write_bytes(self.files[document["file_id"]])
            self.saved += 1
            self.say(f"{label}> [file: {path}]")
            if message.get("caption"):
                self.say("     " + self._indent(self._plain(message["caption"])))
        elif call.method == "editMessageCaption":
            self.say(f"{label}> " + self._indent(self._plain(message.get("caption", ""))))
        self._rows(message["message_id"])
        self._reply_keyboard(markup)

    def _label(self, message_id: int, keyboard: list[list[dict[str, Any]]], *, edited: bool) -> str:
        """``bot``, ``bot #3`` for a message with buttons (now or before an edit took them),
        with ``(edited)``; records the buttons the message shows from now on."""
        number = self.numbers.get(message_id)
        if number is None and keyboard:
            number = self.numbers[message_id] = len(self.numbers) + 1
        if number is not None:
            buttons = [
                (str(button["text"]), str(button.get("callback_data", "")))
                for row in keyboard
                for button in row
            ]
            self.keyboards[number] = (message_id, buttons)
            if buttons:
                self.newest = number
        self._shape = [len(row) for row in keyboard]
        return (
            "bot" + (f" #{number}" if number is not None else "") + (" (edited)" if edited else "")
        )

    def _rows(self, message_id: int) -> None:
        """Print the buttons ``_label`` recorded, numbered as ``button`` presses them."""
        number = self.numbers.get(message_id)
        if number is None:
            return
        buttons = self.keyboards[number][1]
        numbered = _has_number_labels(buttons)
        position = 0
        for width in self._shape:
            cells = []
            for label, data in buttons[position : position + width]:
                position += 1
                # A button that opens Telegram's chat picker has no data to press here.
                hint = "" if data else " (in Telegram)"
                if numbered and _NUMBER.fullmatch(label.strip()):
                    cells.append(f"[{label.strip()}]")  # pressed by typing its label
                elif numbered:
                    cells.append(f"[{number}.{position}] {label}{hint}")
                else:
                    cells.append(f"[{position}] {label}{hint}")
            self.say("     " + "   ".join(cells))

    def _reply_keyboard(self, markup: Mapping[str, Any]) -> None:
        """A keyboard in place of the user's: the location button becomes a hint."""
        if markup.get("remove_keyboard"):
            self.location_offered = False
        for row in markup.get("keyboard") or []:
            for button in row:
                text = button.get("text") if isinstance(button, dict) else button
                if isinstance(button, dict) and button.get("request_location"):
                    self.location_offered = True
                    self.say(f"     [{text}: {LOCATION_HINT}]")
                else:
                    self.say(f"     [{text}: type it]")

    def _folder(self) -> Path:
        self.pictures.mkdir(parents=True, exist_ok=True)
        return self.pictures

    def _save(self, file_id: str) -> Path:
        """The picture file for ``file_id``, written the first time it is shown."""
        content = self.files[file_id]
        with Image.open(io.BytesIO(content)) as image:
            suffix = f".{(image.format or 'bin').lower()}"
        path = self._folder() / f"{file_id}{suffix}"
        if not path.exists():
            path.write_bytes(content)
            self.saved += 1
        return path

    def _plain(self, text: str) -> str:
        if self.color:
            text = re.sub(r"<(b|strong)>", "\033[1m", text)
            text = re.sub(r"</(b|strong)>", "\033[0m", text)
            text = re.sub(r"<(i|em)>", "\033[3m", text)
            text = re.sub(r"</(i|em)>", "\033[0m", text)
        return html.unescape(re.sub(r"<[^>]+>", "", text))

    def _indent(self, text: str) -> str:
        return text.replace("\n", "\n     ")

    def say(self, line: str) -> None:
        """Print one line to the terminal (above the prompt, if it is showing)."""
        if self.prompt is not None:
            self.output.write("\r\033[K")
        print(line, file=self.output, flush=True)
        if self.prompt is not None:
            self.output.write(self.prompt)
            self.output.flush()

    def ask(self, prompt: str) -> None:
        """Show ``prompt`` until the next line is read (``answered``)."""
        self.prompt = prompt
        self.output.write(prompt)
        self.output.flush()

    def answered(self) -> None:
        """The user pressed Enter: the prompt is part of the line now."""
        self.prompt = None

    def button(self, line: str) -> Press | str | None:
        """The button a typed line presses; a short reply when it names a button that is
        not there (nothing is pressed); None when it names no button (it is sent as text).

        The rule, so a plain number is never ambiguous:

        - ``M.B`` is button B of message M (``bot #M>``), any message still showing buttons;
          a keyboard an edit took away (or replaced by a shorter one) has no button B.
        - A plain number N is for the newest keyboard. If a button there is labelled N
          (the check-in's 0 to 10), N presses that one. If none is but some button is
          labelled with a number, N presses nothing: buttons there are pressed by their
          label, or by ``M.B``. On a keyboard with no number labels, N is the N-th button.
        - Any other number, or a number with no keyboard shown yet, is sent as text.
        """
        address = _ADDRESS.fullmatch(line)
        if address is not None:
            number, position = int(address[1]), int(address[2])
            if number not in self.keyboards:
                return f"[no message #{number} with buttons: nothing pressed]"
            return self._nth(number, position) or (
                f"[message #{number} has no button {position}"
                f"{self._taken(number)}: nothing pressed]"
            )
        if not _NUMBER.fullmatch(line) or self.newest is None:
            return None
        number = self.newest
        message_id, buttons = self.keyboards[number]
        if not buttons:
            return f"[the buttons of message #{number} were taken away: nothing pressed]"
        for label, data in buttons:
            if label.strip() == line:
                return Press(message_id, data)
        if _has_number_labels(buttons):
            return (
                f"[no button labelled {line} on message #{number}: "
                f"type {number}.N for its N-th button]"
            )
        return self._nth(number, int(line))

    def _nth(self, number: int, position: int) -> Press | None:
        message_id, buttons = self.keyboards[number]
        if 1 <= position <= len(buttons):
            return Press(message_id, buttons[position - 1][1])
        return None

    def _taken(self, number: int) -> str:
        return "" if self.keyboards[number][1] else " (an edit took its buttons away)"


def _has_number_labels(buttons: list[tuple[str, str]]) -> bool:
    return any(_NUMBER.fullmatch(label.strip()) for label, _ in buttons)


async def _serve_webapp(
    application: BotApplication, terminal: Terminal, clock: Clock, language_code: str
) -> None:
    """Serve the Mini App on 127.0.0.1 (a free port) for as long as the chat runs, and print
    its pages' addresses with launch data signed for you: a desktop browser opens them with
    no Telegram (the pain stop's warning signs and the PDF record come into this chat)."""
    await start_webapp(application, "127.0.0.1", 0)
    base = application.runtime.web_address
    assert base is not None
    token, now = application.services.settings.token, clock()
    terminal.say(f"The Mini App, for a browser on this machine (good for {_hours()} hours):")
    for name, page in (("guided session", ""), ("progress", "progress.html")):
        url = miniapp.launch_url(base + page, token, CHAT_ID, now, language=language_code)
        terminal.say(f"     {name}: {url}")


def _hours() -> int:
    return int(MAX_AGE.total_seconds() // 3600)


def place(line: str) -> tuple[float, float] | None:
    """The coordinates a typed line names: ``latitude,longitude``, or a place by its name
    in either language (``Berlin``, ``北京``, ``New York``, ``Europe/London``; the bot's own
    place index, bot/places.py), or None."""
    coordinates = _COORDINATES.fullmatch(line)
    if coordinates is not None:
        return float(coordinates[1]), float(coordinates[2])
    return places.where_named(line)


async def chat(
    settings: Settings,
    *,
    input_stream: TextIO = sys.stdin,
    output: TextIO = sys.stdout,
    clock: Clock = system_clock,
    language_code: str = "en",
    pictures: Path | None = None,
) -> int:
    """Run the bot against the terminal until end of input or /quit; return the exit code.

    ``language_code`` is what the user's Telegram app would report (e.g. "zh-hans").
    Pictures and files the bot sends are saved in ``pictures`` (default: beside the
    database, ``backcare-chat-files``), which is kept and named when the chat ends.
    """
    folder = (pictures or settings.db_path.with_name(f"{settings.db_path.stem}-files")).resolve()
    api = LocalBotApi()
    terminal = Terminal(
        output, color=output.isatty(), files=api.files, pictures=folder, messages=api.messages
    )
    api.on_call = terminal.show
    application = build_application(settings, clock=clock, request=LocalRequest(api))
    read_line: Callable[[], str] = input_stream.readline
    interactive = input_stream.isatty()
    loop = asyncio.get_running_loop()
    last_message: int | None = None
    async with running(application):
        # This local Bot API keeps files for one run: file ids the database kept from an
        # earlier chat name nothing here, so the pictures are uploaded afresh.
        application.services.store.forget_file_ids()
        terminal.say(
            "Chatting with backcare-bot. Type a command (try /start), a button's "
            f"number to press it, or {QUIT} to leave. You are user {CHAT_ID}."
        )
        await _serve_webapp(application, terminal, clock, language_code)
        while True:
            if interactive:
                terminal.ask(PROMPT)
            line = await loop.run_in_executor(None, read_line)
            terminal.answered()
            if not line:
                break
            line = line.strip()
            if not line:
                continue
            if line == QUIT:
                break
            if not interactive:
                terminal.say(f"{PROMPT}{line}")
            pressed = terminal.button(line)
            if isinstance(pressed, str):
                terminal.say(pressed)
                continue
            if pressed is not None and not pressed.data:
                terminal.say("[that button opens Telegram's chat picker: try it in Telegram]")
                continue
            where = None
            if pressed is None and terminal.location_offered:
                # The first lookup may build the place index (a second, in a child process).
                where = await asyncio.to_thread(place, line)
            if pressed is not None:
                update = api.press(
                    CHAT_ID,
                    pressed.message_id,
                    pressed.data,
                    language_code=language_code,
                    queue=False,
                )
            elif where is not None:
                update = api.user_location(
                    CHAT_ID, *where, language_code=language_code, queue=False
                )
            else:
                # "^ text" answers your previous message, as Telegram's Reply does (an
                # operator's /broadcast is a reply to the message to send).
                reply_to = last_message if line.startswith(REPLY) else None
                text = line.removeprefix(REPLY).strip() if reply_to is not None else line
                update = api.user_message(
                    CHAT_ID, text, language_code=language_code, reply_to=reply_to, queue=False
                )
                last_message = update["message"]["message_id"]
            await application.process_update(Update.de_json(update, application.bot))
    if terminal.saved:
        terminal.say(f"Pictures and files from this chat are in {folder}")
    return 0
