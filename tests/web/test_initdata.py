"""Mini App launch data: what ``bot.web.initdata.check`` accepts, and everything it refuses."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.web.initdata import (
    CLOCK_SKEW,
    MAX_AGE,
    MAX_LENGTH,
    InitDataError,
    LaunchData,
    Refusal,
    check,
    sign,
    validate,
)

TOKEN = "123456:AAE-test-token-of-this-bot_0123456789"
OTHER = "654321:AAE-another-bots-token_9876543210xyz"
NOW = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
USER = 42


def signed(
    *,
    auth_date: datetime = NOW,
    language_code: str | None = "en",
    extra: dict[str, str] | None = None,
) -> str:
    return sign(TOKEN, user_id=USER, auth_date=auth_date, language_code=language_code, extra=extra)


def fields(init_data: str) -> dict[str, str]:
    return dict(parse_qsl(init_data, keep_blank_values=True))


def resigned(data: dict[str, str], token: str = TOKEN) -> str:
    """``data`` with its hash made again, exactly as Telegram makes it."""
    data = {key: value for key, value in data.items() if key != "hash"}
    check_string = "\n".join(f"{key}={data[key]}" for key in sorted(data))
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    data["hash"] = hmac.new(secret, check_string.encode(), hashlib.sha256).hexdigest()
    return urlencode(data)


def refusal(init_data: str, now: datetime = NOW) -> Refusal:
    with pytest.raises(InitDataError) as raised:
        check(init_data, TOKEN, now)
    assert validate(init_data, TOKEN, now) is None
    return raised.value.refusal


def test_signed_data_passes_and_names_the_user() -> None:
    launch = check(signed(language_code="zh-hans"), TOKEN, NOW)
    assert launch == LaunchData(user_id=USER, auth_date=NOW, language_code="zh-hans")


def test_the_signature_is_telegrams_recipe() -> None:
    """sign() and an independent implementation of the recipe agree."""
    data = fields(signed(extra={"query_id": "AAH1", "start_param": "kneading"}))
    assert resigned(data) == urlencode(data)
    assert check(urlencode(data), TOKEN, NOW).start_param == "kneading"


def test_field_order_does_not_matter() -> None:
    data = fields(signed(extra={"query_id": "AAH1"}))
    reordered = urlencode(dict(reversed(list(data.items()))))
    assert check(reordered, TOKEN, NOW).user_id == USER


@pytest.mark.parametrize(
    ("init_data", "expected"),
    [
        pytest.param("", Refusal.MISSING, id="empty"),
        pytest.param(urlencode({"auth_date": "1", "user": "{}"}), Refusal.MISSING, id="no-hash"),
        pytest.param("hash=abc", Refusal.MALFORMED, id="short-hash"),
        pytest.param("hash=" + "A" * 64, Refusal.MALFORMED, id="uppercase-hash"),
        pytest.param("a=1&&b=2", Refusal.MALFORMED, id="empty-pair"),
        pytest.param("novalue", Refusal.MALFORMED, id="no-equals"),
        pytest.param("user=%FF%FE&hash=" + "0" * 64, Refusal.MALFORMED, id="not-utf8"),
        pytest.param("User=1&hash=" + "0" * 64, Refusal.MALFORMED, id="odd-key"),
        pytest.param("user=\udcff&hash=" + "0" * 64, Refusal.MALFORMED, id="surrogate"),
        pytest.param("user=é&hash=" + "0" * 64, Refusal.MALFORMED, id="raw-non-ascii"),
    ],
)
def test_malformed_or_missing(init_data: str, expected: Refusal) -> None:
    assert refusal(init_data) is expected


def test_wrong_hash() -> None:
    data = fields(signed())
    data["hash"] = "0" * 64
    assert refusal(urlencode(data)) is Refusal.HASH


def test_another_bots_token() -> None:
    assert refusal(sign(OTHER, user_id=USER, auth_date=NOW)) is Refusal.HASH


def test_tampered_user() -> None:
    """Another user's id pasted into data signed for USER."""
    data = fields(signed())
    user = json.loads(data["user"])
    user["id"] = 7
    data["user"] = json.dumps(user, separators=(",", ":"))
    assert refusal(urlencode(data)) is Refusal.HASH


def test_tampered_auth_date() -> None:
    data = fields(signed(auth_date=NOW - 2 * MAX_AGE))
    data["auth_date"] = str(int(NOW.timestamp()))
    assert refusal(urlencode(data)) is Refusal.HASH


def test_a_field_added_after_signing() -> None:
    assert refusal(signed() + "&start_param=x") is Refusal.HASH


def test_duplicated_keys() -> None:
    """Twice the same field, each copy signed alone: either could be meant, so neither is."""
    data = signed()
    user = fields(data)["user"]
    assert refusal(data + "&" + urlencode({"user": user})) is Refusal.MALFORMED


def test_newline_in_a_value() -> None:
    """A newline would let one field pass for two in the data-check-string."""
    data = fields(signed())
    merged = {"auth_date": data["auth_date"] + "\nuser=" + data["user"], "hash": ""}
    assert refusal(resigned(merged)) is Refusal.MALFORMED


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        pytest.param(MAX_AGE, None, id="24h-ok"),
        pytest.param(MAX_AGE + timedelta(seconds=1), Refusal.EXPIRED, id="24h-and-1s"),
        pytest.param(timedelta(days=400), Refusal.EXPIRED, id="a-year"),
        pytest.param(-CLOCK_SKEW, None, id="skew-ok"),
        pytest.param(-CLOCK_SKEW - timedelta(seconds=1), Refusal.FUTURE, id="future"),
        pytest.param(-timedelta(days=3), Refusal.FUTURE, id="far-future"),
    ],
)
def test_auth_date_by_the_injected_clock(age: timedelta, expected: Refusal | None) -> None:
    data = signed(auth_date=NOW - age)
    if expected is None:
        assert check(data, TOKEN, NOW).user_id == USER
    else:
        assert refusal(data) is expected


@pytest.mark.parametrize(
    "auth_date",
    [
        pytest.param("", id="empty"),
        pytest.param("-5", id="negative"),
        pytest.param(" 1764136800", id="space"),
        pytest.param("1e9", id="exponent"),
        pytest.param("0x10", id="hex"),
        pytest.param("1764136800.5", id="fraction"),
        pytest.param("9" * 40, id="huge"),
        pytest.param("١٢٣", id="arabic-digits"),
    ],
)
def test_non_numeric_auth_date(auth_date: str) -> None:
    data = fields(signed())
    data["auth_date"] = auth_date
    assert refusal(resigned(data)) in (Refusal.MALFORMED, Refusal.MISSING)


def test_missing_auth_date() -> None:
    data = fields(signed())
    del data["auth_date"]
    assert refusal(resigned(data)) is Refusal.MISSING


@pytest.mark.parametrize(
    "user",
    [
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
        pytest.param("not json", id="not-json"),
        pytest.param("[42]", id="a-list"),
        pytest.param('{"first_name":"A"}', id="no-id"),
        pytest.param('{"id":"42"}', id="string-id"),
        pytest.param('{"id":42.0}', id="float-id"),
        pytest.param('{"id":true}', id="bool-id"),
        pytest.param('{"id":0}', id="zero"),
        pytest.param('{"id":-42}', id="negative"),
        pytest.param('{"id":' + "9" * 30 + "}", id="huge-id"),
        pytest.param('{"id":42,"x":"' + "a" * 2000 + '"}', id="too-long"),
        pytest.param("[" * 5000, id="deep"),
    ],
)
def test_bad_user(user: str | None) -> None:
    data = fields(signed())
    if user is None:
        del data["user"]
    else:
        data["user"] = user
    assert refusal(resigned(data)) in (Refusal.USER, Refusal.MALFORMED)


def test_a_language_that_is_not_a_tag_is_dropped() -> None:
    data = fields(signed())
    data["user"] = json.dumps({"id": USER, "language_code": "<script>"})
    assert check(resigned(data), TOKEN, NOW).language_code is None


def test_huge_input_is_refused_before_parsing() -> None:
    assert refusal("a=" + "b" * MAX_LENGTH) is Refusal.MALFORMED
    assert refusal("&".join(f"k{i}=1" for i in range(100))) is Refusal.MALFORMED


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_refused_cleanly(text: str) -> None:
    """Nothing but InitDataError escapes, whatever the page sends."""
    assert validate(text, TOKEN, NOW) is None


@settings(max_examples=200, deadline=None)
@given(
    user_id=st.integers(min_value=1, max_value=2**52 - 1),
    age=st.integers(min_value=0, max_value=int(MAX_AGE.total_seconds())),
    language=st.sampled_from([None, "en", "zh-hans", "pt-BR"]),
    name=st.text(max_size=40),
    start_param=st.text(
        alphabet=st.characters(codec="utf-8", exclude_characters="\n"), max_size=40
    ),
)
def test_any_signed_data_round_trips(
    user_id: int, age: int, language: str | None, name: str, start_param: str
) -> None:
    when = NOW - timedelta(seconds=age)
    data = sign(
        TOKEN,
        user_id=user_id,
        auth_date=when,
        language_code=language,
        first_name=name,
        extra={"start_param": start_param},
    )
    launch = check(data, TOKEN, NOW)
    assert (launch.user_id, launch.language_code) == (user_id, language)
    assert launch.start_param == (start_param or None)
    assert validate(data, OTHER, NOW) is None


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_any_one_character_changed_is_refused(data: st.DataObject) -> None:
    """Flip one character of signed data anywhere: never accepted."""
    init_data = signed(extra={"query_id": "AAHdF6IQAAAAAN0XohDhrOrc"})
    index = data.draw(st.integers(min_value=0, max_value=len(init_data) - 1))
    replacement = data.draw(st.characters(codec="ascii").filter(lambda c: c != init_data[index]))
    changed = init_data[:index] + replacement + init_data[index + 1 :]
    launch = validate(changed, TOKEN, NOW)
    # A change that decodes to the same fields (%7B for {) is the same data, so it passes.
    if launch is not None:
        assert fields(changed) == fields(init_data)
