"""`backcare-bot chat`: the real Application, driven from the terminal through a local Bot API."""

from __future__ import annotations

import asyncio
import html
import io
import json
import re
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TextIO

from PIL import Image
from telegram import Update
from telegram.request import BaseRequest, RequestData

from bot.app import build_application, running
from bot.config import Settings
from bot.context import Clock, system_clock
from bot.localapi import BotApiError, Call, LocalBotApi, Upload

#: The one user of the terminal chat.
CHAT_ID = 1000
QUIT = "/quit"


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


class Terminal:
    """Prints what the bot sends and turns typed lines into updates."""

    def __init__(
        self, output: TextIO, *, color: bool, files: Mapping[str, bytes], pictures: Path
    ) -> None:
        self.output = output
        self.color = color
        #: The Bot API's files by file_id, and the directory their pictures are saved in.
        self.files = files
        self.pictures = pictures
        self.buttons: list[tuple[int, str]] = []  # (message_id, callback data), numbered from 1
        self.problems = 0

    def show(self, call: Call) -> None:
        """Print one request the bot made, if a user would see it."""
        if call.error is not None:
            self.problems += 1
            self.say(f"[the Bot API refused {call.method}: {call.error}]")
            return
        if call.method == "answerCallbackQuery" and call.params.get("text"):
            self.say(f"bot (pop-up)> {call.params['text']}")
            return
        label = "bot (edited)" if call.method.startswith("edit") else "bot"
        message = call.result
        if call.method in ("sendMessage", "editMessageText"):
            self.say(f"{label}> " + self._indent(self._plain(str(call.params["text"]))))
        elif call.method in ("sendPhoto", "editMessageMedia"):
            self.say(f"{label}> [picture: {self._save(message['photo'][-1]['file_id'])}]")
            if message.get("caption"):
                self.say("     " + self._indent(self._plain(message["caption"])))
        elif call.method == "sendDocument":
            document = message["document"]
            path = self.pictures / f"{document['file_id']}-{Path(document['file_name']).name}"
            path.write_bytes(self.files[document["file_id"]])
            self.say(f"{label}> [file: {path}]")
            if message.get("caption"):
                self.say("     " + self._indent(self._plain(message["caption"])))
        elif call.method == "editMessageCaption":
            self.say(f"{label}> " + self._indent(self._plain(message.get("caption", ""))))
        else:
            return
        keyboard = (call.params.get("reply_markup") or {}).get("inline_keyboard")
        if keyboard:
            self._number(message["message_id"], keyboard)

    def _save(self, file_id: str) -> Path:
        """The picture file for ``file_id``, written the first time it is shown."""
        content = self.files[file_id]
        with Image.open(io.BytesIO(content)) as image:
            suffix = f".{(image.format or 'bin').lower()}"
        path = self.pictures / f"{file_id}{suffix}"
        if not path.exists():
            path.write_bytes(content)
        return path

    def _number(self, message_id: int, keyboard: list[list[dict[str, Any]]]) -> None:
        self.buttons = []
        for row in keyboard:
            cells = []
            for button in row:
                self.buttons.append((message_id, str(button.get("callback_data", ""))))
                # A button that opens Telegram's chat picker has no data to press here.
                hint = "" if "callback_data" in button else " (in Telegram)"
                cells.append(f"[{len(self.buttons)}] {button['text']}{hint}")
            self.say("     " + "   ".join(cells))

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
        """Print one line to the terminal."""
        print(line, file=self.output, flush=True)

    def button(self, line: str) -> tuple[int, str] | None:
        """The button a typed number presses, if it is one."""
        if line.isdigit() and 1 <= int(line) <= len(self.buttons):
            return self.buttons[int(line) - 1]
        return None


async def chat(
    settings: Settings,
    *,
    input_stream: TextIO = sys.stdin,
    output: TextIO = sys.stdout,
    clock: Clock = system_clock,
    language_code: str = "en",
) -> int:
    """Run the bot against the terminal until end of input or /quit; return the exit code.

    ``language_code`` is what the user's Telegram app would report (e.g. "zh-hans").
    """
    # Pictures the bot sends are saved here for the user to open; they go when the chat ends.
    with tempfile.TemporaryDirectory(prefix="backcare-chat-") as pictures:
        api = LocalBotApi()
        terminal = Terminal(output, color=output.isatty(), files=api.files, pictures=Path(pictures))
        api.on_call = terminal.show
        application = build_application(settings, clock=clock, request=LocalRequest(api))
        read_line: Callable[[], str] = input_stream.readline
        loop = asyncio.get_running_loop()
        async with running(application):
            terminal.say(
                "Chatting with backcare-bot. Type a command (try /start), a button's "
                f"number to press it, or {QUIT} to leave."
            )
            while True:
                line = await loop.run_in_executor(None, read_line)
                if not line:
                    break
                line = line.strip()
                if not line:
                    continue
                if line == QUIT:
                    break
                if not input_stream.isatty():
                    terminal.say(f"you> {line}")
                pressed = terminal.button(line)
                if pressed is not None and not pressed[1]:
                    terminal.say("[that button opens Telegram's chat picker: try it in Telegram]")
                    continue
                if pressed is not None:
                    update = api.press(
                        CHAT_ID, pressed[0], pressed[1], language_code=language_code, queue=False
                    )
                else:
                    update = api.user_message(
                        CHAT_ID, line, language_code=language_code, queue=False
                    )
                await application.process_update(Update.de_json(update, application.bot))
    return 0
