"""The Mini App's server (bot/web/miniapp.py) over HTTP: launch data checked on every API call,
events written into the same session rows as the chat's, the safety decision asked, the
pain stop as in the chat, inputs and bodies checked, and the headers of every answer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.render import pages as render_pages
from bot.render.common import Reply
from bot.web import miniapp
from bot.web.initdata import check, sign
from content import Content, pictures, webapp
from content.markup import plain
from storage import Caution, Store
from storage.rules.safety import Hold
from storage.rules.sessions import SessionState
from tests.conftest import START, FakeClock, contents, permit
from tests.web.server import mini_app

TOKEN = "123456:AAE-miniapp-test-token_0123456789abc"
USER = 42
OTHER_USER = 43


@dataclass
class App:
    client: TestClient[Any, Any]
    store: Store
    clock: FakeClock
    sent: list[tuple[int, Reply]] = field(default_factory=list)
    reports: list[tuple[int, str, int]] = field(default_factory=list)

    def auth(self, user_id: int = USER, language: str = "en", token: str = TOKEN) -> dict[str, str]:
        data = sign(token, user_id=user_id, auth_date=self.clock(), language_code=language)
        return {"Authorization": f"tma {data}"}

    async def get(self, path: str, **kwargs: Any) -> tuple[int, Any]:
        async with self.client.get(path, **kwargs) as response:
            return response.status, await response.json()

    async def post(self, path: str, body: Any = None, **kwargs: Any) -> tuple[int, Any]:
        kwargs.setdefault("headers", self.auth())
        async with self.client.post(path, json=body, **kwargs) as response:
            return response.status, await response.json()

    async def start(self, technique: str = "kneading") -> dict[str, Any]:
        status, body = await self.post("/app/api/sessions", {"technique": technique})
        assert status == 201, body
        session: dict[str, Any] = body["session"]
        return session

    def rows(self) -> int:
        return len(list(self.store.db.query("SELECT id FROM sessions")))


@pytest.fixture
async def app(tmp_path: Path, clock: FakeClock) -> AsyncIterator[App]:
    mounted = mini_app(tmp_path, clock, TOKEN)
    async with TestClient(TestServer(mounted.app)) as client:
        yield App(client, mounted.store, clock, mounted.sent, mounted.reports)
    mounted.store.close()


@pytest.fixture
def allowed(app: App) -> App:
    """USER answered the caution check "none apply": massage is allowed."""
    app.store.set_caution(USER, Caution.NONE, app.clock())
    return app


def en() -> Content:
    return contents()["en"]


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="none"),
        pytest.param({"Authorization": "tma "}, id="empty"),
        pytest.param({"Authorization": "Bearer x"}, id="other-scheme"),
        pytest.param(
            {
                "Authorization": "tma "
                + sign("9:other-bots-token-xxxxxxxxxxxxxxxx", user_id=USER, auth_date=FakeClock()())
            },
            id="other-bots-token",
        ),
        pytest.param(
            {
                "Authorization": "tma "
                + sign(TOKEN, user_id=USER, auth_date=FakeClock()() - timedelta(days=2))
            },
            id="two-days-old",
        ),
        pytest.param(
            {
                "Authorization": "tma "
                + sign(TOKEN, user_id=USER, auth_date=FakeClock()()).replace(
                    "%22id%22%3A42", "%22id%22%3A7"
                )
            },
            id="another-users-id",
        ),
    ],
)
async def test_no_launch_data_no_answer(allowed: App, headers: dict[str, str]) -> None:
    app = allowed
    session = await app.start()
    before = app.store.session(session["id"])
    for method, path, body in [
        ("GET", "/app/api/state?technique=kneading", None),
        ("GET", "/app/api/map", None),
        ("POST", "/app/api/sessions", {"technique": "pressing"}),
        ("POST", f"/app/api/sessions/{session['id']}/pain", None),
        ("POST", f"/app/api/sessions/{session['id']}/stop", None),
        ("POST", f"/app/api/sessions/{session['id']}/feeling", {"feeling": "worse"}),
    ]:
        async with app.client.request(method, path, json=body, headers=headers) as response:
            assert response.status == 401, path
            assert response.headers["WWW-Authenticate"] == "tma"
            assert await response.json() == {"error": "auth"}
    assert app.store.session(session["id"]) == before
    assert app.rows() == 1 and not app.sent
    assert app.store.massage(USER, app.clock()).permit is not None


async def test_state_of_a_new_user_says_the_check_comes_first(app: App) -> None:
    status, body = await app.get("/app/api/state?technique=kneading", headers=app.auth())
    assert status == 200
    assert plain(en().message("massage_held_ask")) in body["held"]
    assert body["technique"]["id"] == "kneading"
    assert body["session"] is None
    assert app.store.subscriber(USER) is None  # nothing stored by asking


async def test_state_in_chinese(allowed: App) -> None:
    status, body = await allowed.get("/app/api/state", headers=allowed.auth(language="zh-hans"))
    assert status == 200 and body["language"] == "zh"
    assert body["text"]["session_pause"] == plain(contents()["zh"].buttons["session_pause"])
    assert body["urgent"] == plain(contents()["zh"].pages["urgent"])
    assert body["technique"] is None and body["held"] is None


async def test_start_writes_the_chats_session_row(allowed: App) -> None:
    app = allowed
    session = await app.start("pressing")
    stored = app.store.active_session(USER)
    assert stored is not None and stored.id == session["id"]
    assert (stored.technique_id, stored.state, stored.message_id) == (
        "pressing",
        SessionState.RUNNING,
        None,
    )
    assert session["detail"]["timings"] == list(en().technique("pressing").timings)  # type: ignore[union-attr]
    assert session["step"] == 0 and not session["in_chat"]
    status, body = await app.post("/app/api/sessions", {"technique": "kneading"})
    assert (status, body["error"], body["session"]["id"]) == (409, "already", stored.id)


async def test_a_held_person_gets_the_reason_and_the_signs_not_a_session(allowed: App) -> None:
    app = allowed
    app.store.report_flare(USER, app.clock())
    status, body = await app.post("/app/api/sessions", {"technique": "kneading"})
    assert status == 403 and body["error"] == "held"
    assert plain(en().message("massage_held_flare")) in body["held"]
    assert body["urgent"] == plain(en().pages["urgent"])
    assert app.rows() == 0


async def test_pause_resume_skip_as_in_the_chat(allowed: App) -> None:
    app = allowed
    session = await app.start("kneading")
    url = f"/app/api/sessions/{session['id']}"
    app.clock.advance(seconds=10)
    status, body = await app.post(f"{url}/pause")
    assert status == 200 and body["session"]["state"] == "paused"
    assert body["session"]["elapsed"] == 10
    status, body = await app.post(f"{url}/pause")
    assert status == 409 and body["error"] == "state"
    app.clock.advance(seconds=60)
    status, body = await app.post(f"{url}/resume")
    assert body["session"]["state"] == "running" and body["session"]["elapsed"] == 10
    status, body = await app.post(f"{url}/skip")
    assert (body["session"]["step"], body["session"]["elapsed"]) == (1, 30)
    stored = app.store.session(session["id"])
    assert stored is not None and (stored.paused_seconds, stored.skipped_seconds) == (60, 20)


async def test_skipping_the_last_step_ends_it_done(allowed: App) -> None:
    app = allowed
    session = await app.start("kneading")
    for _ in range(4):
        await app.post(f"/app/api/sessions/{session['id']}/skip")
    _, body = await app.post(f"/app/api/sessions/{session['id']}/skip")
    assert body["session"]["state"] == "done"


async def test_finish_only_when_the_servers_clock_agrees(allowed: App) -> None:
    app = allowed
    session = await app.start("kneading")
    url = f"/app/api/sessions/{session['id']}"
    total = sum(en().technique("kneading").timings)  # type: ignore[union-attr]
    app.clock.advance(seconds=total - 10)
    status, body = await app.post(f"{url}/finish")
    assert (status, body["session"]["state"]) == (409, "running")
    app.clock.advance(seconds=10 - miniapp.FINISH_SLACK)
    status, body = await app.post(f"{url}/finish")
    assert (status, body["session"]["state"]) == (200, "done")
    status, body = await app.post(f"{url}/finish")  # again (or the session job got there first)
    assert (status, body["session"]["state"]) == (200, "done")
    status, body = await app.post(f"{url}/feeling", {"feeling": "worse"})
    assert status == 200 and body["session"]["feeling"] == "worse"
    decision = app.store.massage(USER, app.clock())
    assert decision.holds == (Hold.WORSE,)


async def test_feeling_before_the_end_is_refused(allowed: App) -> None:
    session = await allowed.start()
    status, _ = await allowed.post(
        f"/app/api/sessions/{session['id']}/feeling", {"feeling": "better"}
    )
    assert status == 409
    stored = allowed.store.session(session["id"])
    assert stored is not None and stored.feeling is None


async def test_the_pain_stop_does_what_it_does_in_the_chat(allowed: App) -> None:
    app = allowed
    session = await app.start()
    status, body = await app.post(f"/app/api/sessions/{session['id']}/pain")
    assert status == 200 and body["session"]["state"] == "pain_stop"
    assert body["urgent"] == plain(en().pages["urgent"])
    decision = app.store.massage(USER, app.clock())
    assert Hold.PAIN_STOP in decision.holds
    # The warning signs went into the chat, exactly the chat's card.
    assert [(chat, reply.text) for chat, reply in app.sent] == [
        (USER, render_pages.page(en(), "urgent").text)
    ]
    status, body = await app.post("/app/api/sessions", {"technique": "kneading"})
    assert status == 403


async def test_a_hold_set_mid_session_ends_it_saying_why(allowed: App) -> None:
    app = allowed
    session = await app.start()
    app.store.report_warning_sign(USER, app.clock())
    status, body = await app.post(f"/app/api/sessions/{session['id']}/pause")
    assert status == 200 and body["session"]["state"] == "ended"
    assert plain(en().message("massage_held_title")) in body["held"]


async def test_another_users_session_is_not_found(allowed: App) -> None:
    app = allowed
    session = await app.start()
    app.store.set_caution(OTHER_USER, Caution.NONE, app.clock())
    for action in ("pause", "stop", "pain"):
        status, body = await app.post(
            f"/app/api/sessions/{session['id']}/{action}", headers=app.auth(OTHER_USER)
        )
        assert (status, body) == (404, {"error": "not_found"})
    status, _ = await app.post(
        f"/app/api/sessions/{session['id']}/feeling",
        {"feeling": "worse"},
        headers=app.auth(OTHER_USER),
    )
    assert status == 404
    stored = app.store.session(session["id"])
    assert stored is not None and stored.state is SessionState.RUNNING and not app.sent
    assert app.store.massage(OTHER_USER, app.clock()).permit is not None


async def test_a_chat_session_takes_only_its_ending_events(allowed: App) -> None:
    app = allowed
    started = app.store.start_session(
        permit(app.store, USER, app.clock()), "kneading", "en", app.clock()
    )
    assert started is not None
    app.store.set_session_message(started.id, 77, app.clock())
    status, body = await app.post(f"/app/api/sessions/{started.id}/pause")
    assert (status, body["error"]) == (409, "in_chat")
    status, body = await app.get("/app/api/state", headers=app.auth())
    assert body["session"]["in_chat"] is True
    status, body = await app.post(f"/app/api/sessions/{started.id}/pain")
    assert body["session"]["state"] == "pain_stop" and len(app.sent) == 1


@pytest.mark.parametrize(
    ("body", "status"),
    [
        pytest.param({"technique": "kneading", "x": 1}, 400, id="extra-key"),
        pytest.param({"technique": "surgery"}, 400, id="unknown-technique"),
        pytest.param({"technique": 3}, 400, id="not-text"),
        pytest.param(["kneading"], 400, id="a-list"),
        pytest.param({"technique": "k" * 2000}, 400, id="too-big"),
    ],
)
async def test_bad_start_bodies(allowed: App, body: Any, status: int) -> None:
    got, answer = await allowed.post("/app/api/sessions", body)
    assert got == status and answer == {"error": "bad_request"}
    assert allowed.rows() == 0


async def test_bad_bytes_and_feelings(allowed: App) -> None:
    app = allowed
    for raw in (b"{", b"\xff\xfe", b"[" * 900, b" " * 5000):
        async with app.client.post("/app/api/sessions", data=raw, headers=app.auth()) as response:
            assert response.status == 400
    session = await app.start()
    await app.post(f"/app/api/sessions/{session['id']}/stop")
    for feeling in ("great", None, 1, ""):
        status, _ = await app.post(
            f"/app/api/sessions/{session['id']}/feeling", {"feeling": feeling}
        )
        assert status == 400
    stored = app.store.session(session["id"])
    assert stored is not None and stored.state is SessionState.STOPPED and stored.feeling is None


@pytest.mark.parametrize(
    "path",
    [
        "/app/",
        "/app/index.html",
        "/app/app.js",
        "/app/session.js",
        "/app/app.css",
        "/app/map.html",
        "/app/map.js",
        "/app/pictures/en/kneading.png",
        "/app/pictures/zh/overview.png",
    ],
)
async def test_pages_and_pictures_with_strict_headers(app: App, path: str) -> None:
    async with app.client.get(path) as response:
        assert response.status == 200
        assert response.headers["Content-Security-Policy"] == miniapp.CSP
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize(
    "path",
    [
        "/app/pictures/en/surgery.png",
        "/app/pictures/fr/kneading.png",
        "/app/../bot/config.py",
        "/app/%2e%2e/pyproject.toml",
        "/app/miniapp.py",
        "/app/pictures/en/..%2f..%2fen%2fmessages.toml",
    ],
)
async def test_nothing_else_is_served(app: App, path: str) -> None:
    async with app.client.get(path) as response:
        assert response.status == 404


async def test_the_pages_words_need_no_launch_data(app: App) -> None:
    status, body = await app.get("/app/api/words/zh")
    assert status == 200 and body["text"] == dict(webapp.load("zh"))
    async with app.client.get("/app/api/words/fr") as response:
        assert response.status == 404


async def test_the_prefix_redirects_to_the_pages(app: App) -> None:
    async with app.client.get("/app", allow_redirects=False) as response:
        assert response.status == 308 and response.headers["Location"] == "/app/"


def test_the_csp_allows_only_self_and_telegrams_script() -> None:
    assert "script-src 'self' https://telegram.org/js/telegram-web-app.js" in miniapp.CSP
    assert "unsafe" not in miniapp.CSP and "default-src 'none'" in miniapp.CSP
    page = (miniapp.STATIC_DIR / "index.html").read_text()
    assert "<script>" not in page and "style=" not in page


def test_launch_url_carries_signed_data_as_telegram_opens_the_page(clock: FakeClock) -> None:
    url = miniapp.launch_url(
        "http://127.0.0.1:8080/app/", TOKEN, USER, clock(), technique="pressing", language="zh"
    )
    address, _, fragment = url.partition("#")
    assert address == "http://127.0.0.1:8080/app/?technique=pressing"
    data = parse_qs(fragment)["tgWebAppData"][0]
    launch = check(data, TOKEN, clock())
    assert (launch.user_id, launch.language_code) == (USER, "zh")


async def test_progress_shows_checkins_the_week_and_the_safety_state(allowed: App) -> None:
    app = allowed
    for day, score in ((-40, 7), (-3, 5), (-1, 4)):
        app.clock.set(START + timedelta(days=day))
        app.store.check_in(USER, score, app.clock())
    app.clock.set(START)
    session = await app.start()
    await app.post(f"/app/api/sessions/{session['id']}/stop")
    status, body = await app.get("/app/api/progress?days=30", headers=app.auth())
    assert status == 200 and body["days"] == 30 and body["today"] == "2026-11-26"
    assert [c["score"] for c in body["checkins"]] == [5, 4]
    # Dates as the charts write them, in the user's language: "23 Nov", never 11/23.
    assert [c["label"] for c in body["checkins"]] == ["23 Nov", "25 Nov"]
    assert (body["first_label"], body["today_label"]) == ("28 Oct", "26 Nov")
    (week,) = body["week"]
    assert week["label"] == "26 Nov"
    assert week["outcome"] == plain(en().message("report_session_stopped"))
    assert body["held"] is None and body["report"] is True
    status, body = await app.get("/app/api/progress?days=90", headers=app.auth(language="zh"))
    assert [c["score"] for c in body["checkins"]] == [7, 5, 4]
    assert body["today_label"] == "11月26日"
    for days in ("7", "", "90x", "-30"):
        status, _ = await app.get(f"/app/api/progress?days={days}", headers=app.auth())
        assert status == 400


async def test_the_record_is_sent_by_the_bots_report(allowed: App) -> None:
    app = allowed
    status, body = await app.post("/app/api/report", {"days": 90}, headers=app.auth(language="zh"))
    assert (status, body) == (200, {"sent": True})
    assert app.reports == [(USER, "zh", 90)]
    for bad in ({"days": 7}, {"days": "30"}, {"days": True}, {}, {"days": 30, "x": 1}):
        status, _ = await app.post("/app/api/report", bad)
        assert status == 400
    async with app.client.post("/app/api/report", json={"days": 30}) as response:
        assert response.status == 401
    assert len(app.reports) == 1


async def test_chat_notifier_sends_the_reply_as_send_to_does() -> None:
    sent: list[tuple[Any, ...]] = []

    class Bot:
        async def send_message(self, chat_id: int, text: str, reply_markup: Any = None) -> str:
            sent.append((chat_id, text, reply_markup))
            return "message"

    reply = render_pages.page(en(), "urgent")
    assert await miniapp.chat_notifier(Bot())(USER, reply) == "message"
    assert sent == [(USER, reply.text, reply.keyboard)]


@pytest.mark.parametrize(("code", "language"), [("en", "en"), ("zh-hans", "zh")])
async def test_the_map_lists_the_points_and_apart_those_never_to_press(
    app: App, code: str, language: str
) -> None:
    status, body = await app.get("/app/api/map", headers=app.auth(language=code))
    assert status == 200 and body["language"] == language
    labels = pictures.load_labels(language)
    warnings = pictures.dont_press(language)
    assert body["title"] == labels["titles.overview"]
    assert body["picture"] == f"pictures/{language}/overview.png"
    assert [p["name"] for p in body["dont_press"]] == [labels[f"points.{c}"] for c in warnings]
    assert [p["warning"] for p in body["dont_press"]] == list(warnings.values())
    assert [p["code"] for p in body["dont_press"]] == ["GB30", "BL40"]
    listed = [p["code"] for p in body["points"]]
    assert "GB30" not in listed and "BL40" not in listed
    assert {"GV4", "BL23", "BL25", "EX-B7"} <= set(listed)
    assert body["notes"] == [labels["notes.paired"], labels["notes.keep_off_spine"]]
    assert body["text"]["zoom_in"] == webapp.load(language)["zoom_in"]
    assert body["urgent"] == plain(contents()[language].pages["urgent"])
    async with app.client.get("/app/" + body["picture"]) as response:
        assert response.status == 200
    assert app.store.subscriber(USER) is None  # nothing stored by asking
