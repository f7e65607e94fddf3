"""A python-telegram-bot request object on aiohttp's client, for fan-out throughput.

PTB's default HTTPXRequest is correct but costs about 1 ms of CPU per request on this
machine (bench/RESULTS.md): the sender's ceiling. aiohttp's client does the same work in a
fraction of that. PTB's own extension point (BaseRequest) keeps the rest of the bot as is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

#: The type of PTB's "no value given" marker for timeouts.
_DEFAULT = type(BaseRequest.DEFAULT_NONE)


class AiohttpRequest(BaseRequest):
    """Sends Bot API requests with one aiohttp ClientSession and a bounded connection pool."""

    def __init__(
        self,
        *,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        #: Called with the HTTP status of every answer, or None when none came (a timeout,
        #: a refused or dropped connection): how /healthz sees Telegram (bot.web.metrics).
        self.on_answer: Callable[[int | None], None] | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout in seconds."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; PTB turns the status and body into a result or an error."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        fields = request_data.json_parameters if request_data else None
        if isinstance(read_timeout, _DEFAULT):
            read_timeout = self._read_timeout
        if isinstance(connect_timeout, _DEFAULT):
            connect_timeout = self._connect_timeout
        if isinstance(write_timeout, _DEFAULT):
            write_timeout = self._media_write_timeout if files else self._write_timeout
        # aiohttp has no separate write timeout: the whole request gets read + write time.
        total = None if read_timeout is None else read_timeout + (write_timeout or 0)
        timeout = aiohttp.ClientTimeout(
            total=total, sock_connect=connect_timeout, sock_read=read_timeout
        )
        body: Any = fields
        if files:
            form = aiohttp.FormData()
            for name, value in (fields or {}).items():
                form.add_field(name, value)
            for name, (filename, content, mimetype) in files.items():
                form.add_field(name, content, filename=filename, content_type=mimetype)
            body = form
        try:
            async with self._session.request(method, url, data=body, timeout=timeout) as response:
                answer = await response.read()
        except TimeoutError as error:
            self._answered(None)
            raise TimedOut from error
        except aiohttp.ClientError as error:
            self._answered(None)
            raise NetworkError(f"aiohttp.{error.__class__.__name__}: {error}") from error
        self._answered(response.status)
        return response.status, answer

    def _answered(self, status: int | None) -> None:
        if self.on_answer is not None:
            self.on_answer(status)


class PollingRequest(HTTPXRequest):
    """PTB's own client for long polling (getUpdates; one connection, PTB's timeouts),
    whose answers reach ``on_answer`` too: a token revoked while the bot is quiet shows in
    ``backcare_telegram_up`` at the next poll, not only at the next tip."""

    def __init__(self) -> None:
        super().__init__(connection_pool_size=1)
        #: As ``AiohttpRequest.on_answer``.
        self.on_answer: Callable[[int | None], None] | None = None

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        """See ``HTTPXRequest.do_request``; every answer (or none) is reported."""
        try:
            status, payload = await super().do_request(*args, **kwargs)
        except (TimedOut, NetworkError):
            if self.on_answer is not None:
                self.on_answer(None)
            raise
        if self.on_answer is not None:
            self.on_answer(status)
        return status, payload
