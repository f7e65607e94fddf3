"""The Mini App's server: its pages and its JSON API, as an aiohttp sub-application mounted on
the bot's own web server (``mount``).

The pages (``bot/web/static/``: HTML, CSS and plain JavaScript) run the guided session's
clock on the device; the API only hears events (start, pause, resume, skip, finish, stop,
the pain stop, how it felt) and writes them into the same ``sessions`` rows a chat session
uses, through the same storage calls and the same safety decision (``storage.safety``), so
/progress, /report, /export, the weekly look back and /deletedata see them all.

Every API call carries the Mini App's launch data in ``Authorization: tma <initData>``;
only what ``bot.web.initdata.check`` accepts says who is asking (the user id is the private
chat's). Anything else is a 401 and nothing is read or stored. Every response carries a
strict Content-Security-Policy (the pages' own files and telegram.org's script, nothing
else), no cookie is ever set, and request bodies are capped at ``MAX_BODY`` bytes.

A session the app runs has no chat message (``message_id`` is NULL): the chat's session
job does not edit one for it. Events on a session the chat runs are refused, but for
Stop and the pain stop, which end any of the user's sessions.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from aiohttp import web

from bot.context import language_for
from bot.render import pages as render_pages
from bot.render import safety as render_safety
from bot.render.common import Reply
from bot.render.progress import date_label
from bot.services import Services
from bot.web.initdata import LaunchData, sign, validate
from content import Content, Technique, pictures, webapp
from content.markup import plain
from storage import Store
from storage.rules.sessions import Feeling, Session, SessionState

logger = logging.getLogger(__name__)

#: Where the pages live in the bot's web server (the URL BotFather is given ends with it).
PREFIX = "/app"
STATIC_DIR = Path(__file__).parent / "static"
#: Telegram's own script: the one thing a page loads from elsewhere.
TELEGRAM_SCRIPT = "https://telegram.org/js/telegram-web-app.js"
#: The pages' own files and telegram.org's script; no inline script or style, no other
#: origin, no plugin, no form posting; framed only by Telegram's web client.
CSP = "; ".join(
    [
        "default-src 'none'",
        f"script-src 'self' {TELEGRAM_SCRIPT}",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'self' https://web.telegram.org",
    ]
)
#: Longest request body read, in bytes (the biggest is {"technique": "..."}).
MAX_BODY = 1024
AUTH_SCHEME = "tma"
#: The device may ask to finish this many seconds before the server's clock says the last
#: step is over: the two clocks started a request's round trip apart.
FINISH_SLACK = 2.0
#: The files a page may load, with their types; nothing else under the prefix is served.
FILES = {
    "index.html": "text/html",
    "app.css": "text/css",
    "app.js": "text/javascript",
    "session.js": "text/javascript",
    "progress.html": "text/html",
    "progress.js": "text/javascript",
    "map.html": "text/html",
    "map.js": "text/javascript",
}
#: The progress page's ranges, in days (as /report's).
RANGES = (30, 90)
#: Content's buttons and messages the pages show, as in the chat (made plain text).
BUTTONS = (
    "session_pause",
    "session_resume",
    "session_skip",
    "session_stop",
    "session_pain",
    "session_better",
    "session_same",
    "session_worse",
)
MESSAGES = (
    "session_next",
    "session_next_last",
    "session_paused",
    "session_done",
    "session_felt_better",
    "session_felt_same",
    "session_felt_worse",
    "session_stopped",
    "session_pain_stop",
    "session_held_resume",
    "session_ended",
)
ACTIONS = ("pause", "resume", "skip", "finish", "stop", "pain")
#: Actions that end a session: taken on any of the user's sessions, the chat's too.
ENDING = ("stop", "pain")

#: Sends a reply into a private chat (the bot's ``send_message``); what the pain stop sends.
Notify = Callable[[int, Reply], Awaitable[object]]
#: Sends the PDF record of the last ``days`` days into a private chat, in a language (what
#: /report sends): (chat id, language, days).
Report = Callable[[int, str, int], Awaitable[object]]

_SERVICES = web.AppKey("services", Services)
_NOTIFY: web.AppKey[Notify] = web.AppKey("notify")
_REPORT: web.AppKey[Report | None] = web.AppKey("report")
_WORDS: web.AppKey[Mapping[str, Mapping[str, str]]] = web.AppKey("words")
_FILES: web.AppKey[dict[str, bytes]] = web.AppKey("files")
_LABELS: web.AppKey[Mapping[str, Mapping[str, str]]] = web.AppKey("labels")
#: The acupoint map's notes under the points (pictures.toml's labels).
MAP_NOTES = ("notes.paired", "notes.keep_off_spine")


@dataclass(frozen=True)
class Asker:
    """Who is asking, in which language, with the store and the instant of the request."""

    launch: LaunchData
    content: Content
    words: Mapping[str, str]
    store: Store
    now: datetime

    @property
    def chat_id(self) -> int:
        return self.launch.user_id


def web_app(services: Services, notify: Notify, report: Report | None = None) -> web.Application:
    """The Mini App as an aiohttp application (mount it with ``mount``).

    Args:
        services: the bot's settings (its token signs the launch data), store, content and
            clock.
        notify: sends a reply into a user's private chat (the warning signs after a pain
            stop).
        report: sends the PDF record into a user's chat; None: the progress page offers
            none.
    """
    app = web.Application(client_max_size=MAX_BODY)
    app[_SERVICES] = services
    app[_NOTIFY] = notify
    app[_REPORT] = report
    app[_WORDS] = webapp.load_all()
    app[_FILES] = {name: (STATIC_DIR / name).read_bytes() for name in FILES}
    app[_LABELS] = {language: pictures.load_labels(language) for language in pictures.LANGUAGES}
    app.on_response_prepare.append(_secure)
    router = app.router
    router.add_get("/", _file)
    router.add_get("/{name:" + "|".join(n.replace(".", r"\.") for n in FILES) + "}", _file)
    router.add_get(
        "/pictures/{language:[a-z]{2}}/{picture:[a-z]{1,20}}.png", _picture, allow_head=False
    )
    router.add_get("/api/state", _state, allow_head=False)
    router.add_get("/api/words/{language:[a-z]{2}}", _words, allow_head=False)
    router.add_get("/api/progress", _progress, allow_head=False)
    router.add_get("/api/map", _map, allow_head=False)
    router.add_post("/api/report", _report)
    router.add_post("/api/sessions", _start)
    router.add_post(
        "/api/sessions/{session:[0-9]{1,18}}/{action:" + "|".join(ACTIONS) + "}", _action
    )
    router.add_post("/api/sessions/{session:[0-9]{1,18}}/feeling", _feeling)
    return app


def mount(
    parent: web.Application, services: Services, notify: Notify, report: Report | None = None
) -> None:
    """Serve the Mini App under ``PREFIX`` on ``parent`` (the webhook's server, or the one
    on --web-port); ``PREFIX`` without its slash redirects to it, so the pages' relative
    addresses work."""

    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPPermanentRedirect(PREFIX + "/")

    # Before the sub-app: its prefix would take PREFIX itself too, and answer 404.
    parent.router.add_get(PREFIX, redirect)
    parent.add_subapp(PREFIX + "/", web_app(services, notify, report))


def chat_notifier(bot: Any) -> Notify:
    """The ``notify`` the bot passes in: sends a reply into the chat as a handler's ``send_to``
    does (text and keyboard, the bot's HTML defaults)."""

    async def notify(chat_id: int, reply: Reply) -> object:
        return await bot.send_message(chat_id, reply.text, reply_markup=reply.keyboard)

    return notify


def launch_url(
    base: str,
    token: str,
    user_id: int,
    now: datetime,
    *,
    technique: str | None = None,
    language: str | None = None,
) -> str:
    """The page's address with freshly signed launch data in it, as Telegram opens it
    (``#tgWebAppData=...``): what ``backcare-bot chat`` prints, so the app can be tried in a
    desktop browser without Telegram (its token is its own, so is the signature).

    Args:
        base: where the pages are served, e.g. ``http://127.0.0.1:8080/app/``.
        token: the bot's token.
        user_id: the user (and chat) the page acts for.
        now: the signing instant; the data is good for ``initdata.MAX_AGE``.
        technique: the technique the page opens, if any.
        language: the user's app language (an IETF tag), if any.
    """
    data = sign(token, user_id=user_id, auth_date=now, language_code=language)
    query = f"?{urlencode({'technique': technique})}" if technique else ""
    fragment = urlencode({"tgWebAppData": data, "tgWebAppVersion": "8.0"}, quote_via=quote)
    return f"{base}{query}#{fragment}"


async def _secure(request: web.Request, response: web.StreamResponse) -> None:
    """Every response: the CSP, no sniffing, no referrer; API answers never cached."""
    headers = response.headers
    headers["Content-Security-Policy"] = CSP
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    headers.setdefault("Cache-Control", "no-store")
    headers.popall("Set-Cookie", None)


async def _file(request: web.Request) -> web.Response:
    name = request.match_info.get("name", "index.html")
    return web.Response(
        body=request.app[_FILES][name],
        content_type=FILES[name],
        charset="utf-8",
        headers={"Cache-Control": "no-cache"},
    )


async def _picture(request: web.Request) -> web.StreamResponse:
    """A technique's picture in a language (content/images/), by name only."""
    language, picture = request.match_info["language"], request.match_info["picture"]
    if language not in pictures.LANGUAGES or picture not in pictures.PICTURES:
        raise web.HTTPNotFound()
    return web.FileResponse(
        pictures.path(picture, language), headers={"Cache-Control": "public, max-age=3600"}
    )


async def _words(request: web.Request) -> web.Response:
    """The pages' own words in a language, asked without launch data: what a page says when
    it cannot tell who opened it (they are the same for everyone)."""
    words = request.app[_WORDS].get(request.match_info["language"])
    if words is None:
        raise web.HTTPNotFound()
    return web.json_response({"text": dict(words)})


def _refuse(status: int, error: str, **more: Any) -> web.Response:
    return web.json_response({"error": error, **more}, status=status)


def _asker(request: web.Request) -> Asker | None:
    """Who sent ``request``, from its launch data; None if the data does not prove it."""
    services = request.app[_SERVICES]
    scheme, _, data = request.headers.get("Authorization", "").partition(" ")
    now = services.clock()
    launch = (
        validate(data.strip(), services.settings.token, now)
        if scheme.lower() == AUTH_SCHEME
        else None
    )
    if launch is None:
        logger.info("mini app request from %s refused: launch data", request.remote)
        return None
    subscriber = services.store.subscriber(launch.user_id)
    chosen = subscriber.language if subscriber else None
    language = chosen or language_for(launch.language_code)
    content = services.content_for(language)
    words = request.app[_WORDS].get(content.language) or request.app[_WORDS]["en"]
    return Asker(launch, content, words, services.store, now)


def _unauthorized() -> web.Response:
    response = _refuse(401, "auth")
    response.headers["WWW-Authenticate"] = AUTH_SCHEME
    return response


async def _body(request: web.Request) -> dict[str, Any] | None:
    """The request's JSON object, at most ``MAX_BODY`` bytes; {} for none; None if bad."""
    if request.content_length is not None and request.content_length > MAX_BODY:
        return None
    raw = await request.content.read(MAX_BODY + 1)
    if len(raw) > MAX_BODY:
        return None
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _texts(asker: Asker) -> dict[str, Any]:
    """Everything the pages say, in the asker's language, as plain text."""
    content = asker.content
    return {
        **asker.words,
        **{key: plain(content.buttons[key]) for key in BUTTONS},
        **{key: plain(content.text[key]) for key in MESSAGES},
    }


def _technique(content: Content, technique: Technique) -> dict[str, Any]:
    picture = technique.id if technique.id in pictures.PICTURES else "overview"
    return {
        "id": technique.id,
        "name": plain(technique.name),
        "steps": [plain(step) for step in technique.steps],
        "timings": list(technique.timings),
        "picture": f"pictures/{content.language}/{picture}.png",
    }


def _session(session: Session, technique: Technique | None, now: datetime) -> dict[str, Any]:
    """A session as the page needs it to run its clock: where it stands at ``now``."""
    body: dict[str, Any] = {
        "id": session.id,
        "technique": session.technique_id,
        "state": session.state.value,
        "elapsed": round(session.elapsed(now), 3),
        "feeling": session.feeling.value if session.feeling else None,
        "in_chat": session.message_id is not None,
    }
    if technique is not None and technique.timings:
        where = session.position(technique.timings, now)
        body.update(step=where.step, left=round(where.left, 3), finished=where.finished)
    return body


def _held(asker: Asker) -> str | None:
    """Why massage is held for the asker, in words, or None if it is allowed."""
    decision = asker.store.massage(asker.chat_id, asker.now)
    if decision.permit is not None:
        return None
    why = plain(render_safety.held_text(asker.content, decision))
    return f"{why}\n\n{asker.words['chat_buttons']}"


async def _state(request: web.Request) -> web.Response:
    """What a page shows when it opens: the words, the techniques, the one asked for, whether
    massage is allowed (and why not), the warning signs, and the user's running session."""
    asker = _asker(request)
    if asker is None:
        return _unauthorized()
    content = asker.content
    wanted = request.query.get("technique", "")
    technique = content.technique(wanted) if len(wanted) <= 32 else None
    active = asker.store.active_session(asker.chat_id)
    return web.json_response(
        {
            "language": content.language,
            "text": _texts(asker),
            "techniques": [{"id": t.id, "name": plain(t.name)} for t in content.techniques],
            "technique": _technique(content, technique) if technique else None,
            "held": _held(asker),
            "urgent": plain(content.pages["urgent"]),
            "session": _view(asker, active),
        }
    )


def _view(asker: Asker, session: Session | None) -> dict[str, Any] | None:
    """A session with its technique (for the page to draw it), or None."""
    if session is None:
        return None
    technique = asker.content.technique(session.technique_id)
    body = _session(session, technique, asker.now)
    if technique is not None:
        body["detail"] = _technique(asker.content, technique)
    return body


async def _start(request: web.Request) -> web.Response:
    """Start a session of a technique, if the safety decision allows it now."""
    asker = _asker(request)
    if asker is None:
        return _unauthorized()
    body = await _body(request)
    wanted = body.get("technique") if body is not None else None
    if not isinstance(wanted, str) or set(body or {}) != {"technique"}:
        return _refuse(400, "bad_request")
    technique = asker.content.technique(wanted)
    if technique is None:
        return _refuse(400, "bad_request")
    decision = asker.store.massage(asker.chat_id, asker.now)
    if decision.permit is None:
        return _refuse(403, "held", held=_held(asker), urgent=plain(asker.content.pages["urgent"]))
    started = asker.store.start_session(
        decision.permit, technique.id, asker.content.language, asker.now
    )
    if started is None:
        active = asker.store.active_session(asker.chat_id)
        return _refuse(409, "already", session=_view(asker, active))
    logger.info("mini app: session %d started", started.id)
    return web.json_response({"session": _view(asker, started)}, status=201)


def _own(asker: Asker, request: web.Request) -> Session | None:
    """The session the path names, if it is the asker's."""
    found = asker.store.session(int(request.match_info["session"]))
    return found if found is not None and found.chat_id == asker.chat_id else None


async def _action(request: web.Request) -> web.Response:
    """An event of a running session: pause, resume, skip, finish, stop, or the pain stop."""
    asker = _asker(request)
    if asker is None:
        return _unauthorized()
    if await _body(request) is None:
        return _refuse(400, "bad_request")
    found = _own(asker, request)
    if found is None:  # not there, erased since, or another user's
        return _refuse(404, "not_found")
    action = request.match_info["action"]
    if found.message_id is not None and action not in ENDING:
        return _refuse(409, "in_chat", session=_view(asker, found))
    if action == "pain":
        return await _pain_stop(request, asker, found)
    store, now, content = asker.store, asker.now, asker.content
    technique = content.technique(found.technique_id)
    if technique is None:  # the content lost it: nothing to run any more
        store.end_session(found.id, SessionState.ENDED, now)
        return _refuse(409, "state", session=_view(asker, store.session(found.id)))
    if action == "stop":
        changed = store.end_session(found.id, SessionState.STOPPED, now)
    elif action == "pause":
        changed = store.pause_session(found.id, now)
    elif action == "resume":
        changed = store.resume_session(found.id, now)
    elif action == "skip":
        changed = store.skip_step(found.id, technique.timings, now)
    else:
        changed = _finish(store, found, technique, now)
    if changed is None:  # not in a state for it (a second tap, another device)
        return _refuse(409, "state", session=_view(asker, store.session(found.id)))
    if changed.state.active:
        held = _held(asker)
        if held is not None:
            # As in the chat (bot.jobs.sessions): each step shown asks the safety decision,
            # and a hold set since the session started ends it, saying why.
            ended = store.end_session(changed.id, SessionState.ENDED, now)
            return web.json_response(
                {"session": _view(asker, ended or changed), "held": held}, status=200
            )
        if (
            changed.state is SessionState.RUNNING
            and changed.position(technique.timings, now).finished
        ):
            # The last step was skipped: the session is done, as in the chat.
            changed = store.end_session(changed.id, SessionState.DONE, now) or changed
    return web.json_response({"session": _view(asker, changed)})


def _finish(store: Store, session: Session, technique: Technique, now: datetime) -> Session | None:
    """The device's clock ran out: end the session as done if the server's clock agrees (the
    session job may have ended it already: that is the same answer)."""
    if session.state is SessionState.DONE:
        return session
    if session.state is not SessionState.RUNNING:
        return None
    if session.elapsed(now) + FINISH_SLACK < sum(technique.timings):
        return None
    return store.end_session(session.id, SessionState.DONE, now)


async def _pain_stop(request: web.Request, asker: Asker, found: Session) -> web.Response:
    """ "Stop: pain spreads or numbness", exactly as in the chat (bot.handlers.session): the
    session ends at once, whatever state it was in; no more massage today; the warning signs
    are sent into the chat, and shown here."""
    store, now, content = asker.store, asker.now, asker.content
    ended = store.pain_stop(found.id, now)
    try:
        await request.app[_NOTIFY](asker.chat_id, render_pages.page(content, "urgent"))
    except Exception:  # the page shows them anyway; the chat may be blocked or away
        logger.warning("mini app: the warning signs could not be sent to the chat", exc_info=True)
    session = ended or store.session(found.id) or found
    return web.json_response(
        {"session": _view(asker, session), "urgent": plain(content.pages["urgent"])}
    )


async def _feeling(request: web.Request) -> web.Response:
    """How a finished session felt; "worse" holds massage for the rest of the day, as in the
    chat."""
    asker = _asker(request)
    if asker is None:
        return _unauthorized()
    body = await _body(request)
    answer = body.get("feeling") if body is not None else None
    if set(body or {}) != {"feeling"} or answer not in {f.value for f in Feeling}:
        return _refuse(400, "bad_request")
    found = _own(asker, request)
    if found is None:
        return _refuse(404, "not_found")
    feeling = Feeling(answer)
    # Worse also holds massage for the rest of the day (Store.set_feeling), as in the chat.
    felt = asker.store.set_feeling(found.id, feeling, asker.now)
    if felt is None:
        return _refuse(409, "state", session=_view(asker, found))
    return web.json_response({"session": _view(asker, felt)})


def _outcome(asker: Asker, session: Session) -> str:
    """How a session went, in words (/report's for those that ended early)."""
    if session.state is SessionState.DONE:
        return asker.words["outcome_done"]
    if session.state.active:
        return asker.words["outcome_running"]
    return plain(asker.content.message(f"report_session_{session.state.value}"))


async def _progress(request: web.Request) -> web.Response:
    """The progress page: check-ins over 30 or 90 days, this week's sessions and how they
    felt, and whether massage is allowed now (why not, if not)."""
    asker = _asker(request)
    if asker is None:
        return _unauthorized()
    days = request.query.get("days", str(RANGES[0]))
    if days not in {str(choice) for choice in RANGES}:
        return _refuse(400, "bad_request")
    content, store = asker.content, asker.store
    record = store.record(asker.chat_id, asker.now, int(days))
    # The calendar week, as /progress counts it: Monday to today.
    week = record.this_week.sessions
    buttons = content.buttons

    def name(technique_id: str) -> str:
        technique = content.technique(technique_id)
        return plain(technique.name) if technique else technique_id

    return web.json_response(
        {
            "language": content.language,
            "text": _texts(asker),
            "days": int(days),
            "today": record.today.isoformat(),
            "first_label": date_label(content, record.first),
            "today_label": date_label(content, record.today),
            "checkins": [
                {
                    "date": c.local_date.isoformat(),
                    "label": date_label(content, c.local_date),
                    "score": c.score,
                }
                for c in record.checkins.checkins
            ],
            "week": [
                {
                    "date": session.local_date.isoformat(),
                    "label": date_label(content, session.local_date),
                    "technique": name(session.technique_id),
                    "outcome": _outcome(asker, session),
                    "feeling": plain(buttons[f"session_{session.feeling.value}"])
                    if session.feeling
                    else None,
                }
                for session in reversed(week)
            ],
            "held": _held(asker),
            "urgent": plain(content.pages["urgent"]),
            "report": request.app[_REPORT] is not None,
        }
    )


async def _map(request: web.Request) -> web.Response:
    """The acupoint map: the overview picture, its points, and apart from them the points
    never to press, each with its warning (pictures.toml's [dont_press], the one list)."""
    asker = _asker(request)
    if asker is None:
        return _unauthorized()
    language = asker.content.language
    labels = request.app[_LABELS][language]
    warnings = pictures.dont_press(language)

    def point(code: str) -> dict[str, str]:
        return {"code": code.upper().replace("_", "-"), "name": labels[f"points.{code}"]}

    codes = [key.removeprefix("points.") for key in labels if key.startswith("points.")]
    return web.json_response(
        {
            "language": language,
            "text": _texts(asker),
            "title": labels["titles.overview"],
            "picture": f"pictures/{language}/overview.png",
            "points": [point(code) for code in codes if code not in warnings],
            "dont_press": [
                {**point(code), "warning": warning} for code, warning in warnings.items()
            ],
            "notes": [labels[key] for key in MAP_NOTES],
            "urgent": plain(asker.content.pages["urgent"]),
        }
    )


async def _report(request: web.Request) -> web.Response:
    """Send the PDF record of 30 or 90 days into the chat, as /report does."""
    asker = _asker(request)
    if asker is None:
        return _unauthorized()
    body = await _body(request)
    days = body.get("days") if body is not None else None
    if set(body or {}) != {"days"} or type(days) is not int or days not in RANGES:
        return _refuse(400, "bad_request")
    send = request.app[_REPORT]
    if send is None:
        return _refuse(404, "not_found")
    await send(asker.chat_id, asker.content.language, days)
    return web.json_response({"sent": True})
