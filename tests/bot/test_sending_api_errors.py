"""Reading the Bot API's refusals: each kind is told from the others."""

from __future__ import annotations

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError

from bot.sending import api_errors

CASES = [
    pytest.param(BadRequest("Message is not modified: specified new message content"), "nm"),
    pytest.param(Forbidden("Forbidden: bot was blocked by the user"), "gone"),
    pytest.param(BadRequest("Chat not found"), "gone"),
    pytest.param(BadRequest("Wrong file identifier/http url specified"), "file"),
    pytest.param(BadRequest("Wrong remote file identifier specified: wrong padding"), "file"),
    pytest.param(BadRequest("Message to edit not found"), "other"),
    pytest.param(BadRequest("Can't parse entities: unclosed tag"), "other"),
    pytest.param(NetworkError("Chat not found"), "other"),  # not a 400: never read as one
]


@pytest.mark.parametrize(("error", "kind"), CASES)
def test_each_refusal_is_read_as_one_kind(error: TelegramError, kind: str) -> None:
    found = {
        "nm": api_errors.not_modified(error),
        "gone": api_errors.chat_gone(error),
        "file": api_errors.file_id_refused(error),
    }
    assert [name for name, yes in found.items() if yes] == ([] if kind == "other" else [kind])
