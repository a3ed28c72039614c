"""An aiohttp client for J-Quants API v2: authentication, paging, throttling, retries.

Error policy (fact sheet §2.5–2.6, §7.1):
- 5xx, timeouts, dropped connections and malformed bodies: retry with exponential backoff and jitter;
- 429: pause the whole client (``Retry-After`` if sent, else at least a minute), then resume;
- 403: fail fast (bad key, or the plan lacks the endpoint); 400: fail with the API's message;
- 210: "no content (partial)" — an empty result.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import random
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any, Self, TypeVar
from urllib.parse import urlsplit

import aiohttp

from .config import Settings
from .parse import MalformedResponse, parse_envelope
from .ratelimit import ClientPause, MinuteWindowLimiter

log = logging.getLogger(__name__)
T = TypeVar("T")

BAD_KEY_HINT = (
    "J-Quants rejected the API key (HTTP 403: {message}). Check JQUANTS_API_KEY: copy the key from the "
    "J-Quants dashboard (v2 keys do not expire but can be re-issued), or unset JQUANTS_API_BASE overrides."
)
PLAN_HINT = (
    "J-Quants refused {path} (HTTP 403: {message}). Your plan does not include this endpoint or date range. "
    "Set JQUANTS_PLAN to your real plan (free|light|standard|premium) so the loader skips what it cannot "
    "fetch, or upgrade the subscription."
)

UNREACHABLE_HINT = (
    "cannot reach the J-Quants API at {host} ({tries} tries, no answer from the host in between; last: {reason}). "
    "Check JQUANTS_API_BASE and the network, then rerun: everything committed so far is kept."
)


class ApiError(RuntimeError):
    """A request failed for good; ``str()`` says what to do."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class AuthError(ApiError):
    """HTTP 403: stop the whole run, nothing else will succeed."""


class HostUnreachable(ApiError):
    """No connection to the API host could be made for a whole request's tries: stop the run."""


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5  # tries per request, for 5xx / network / malformed
    backoff: float = 0.5  # first backoff in seconds, doubled each try, with full jitter
    backoff_cap: float = 30.0
    pause_on_429: float = 60.0  # J-Quants sends no Retry-After; its docs ask for >= 1 minute
    lockout_pause: float = 300.0  # after repeated 429s J-Quants locks the key for ~5 minutes
    max_429: int = 10  # 429s tolerated for one request before giving up
    timeout: float = 120.0


class JQuantsClient:
    """One aiohttp session, one concurrency limit, one throttle per endpoint group."""

    def __init__(self, settings: Settings, concurrency: int = 16, retry: RetryPolicy | None = None) -> None:
        if not settings.api_key:
            raise ApiError("JQUANTS_API_KEY is not set")
        if not 1 <= concurrency <= 150:
            raise ValueError("concurrency must be between 1 and 150")
        self.settings = settings
        self.retry = retry or RetryPolicy()
        self.pause = ClientPause()
        self._semaphore = asyncio.Semaphore(concurrency)
        self._main_limiter = MinuteWindowLimiter(settings.requests_per_minute("/"))
        self._fins_limiter = MinuteWindowLimiter(settings.requests_per_minute("/fins/summary"))
        self._consecutive_429 = 0
        self._unanswered = False  # a connection failed and no answer has come from the host since
        self._session: aiohttp.ClientSession | None = None
        self.requests_sent = 0
        self.bytes_received = 0

    async def __aenter__(self) -> Self:
        headers = {"User-Agent": f"gogooku3/{version('gogooku3')}"}
        if _is_loopback(self.settings.api_base):
            # compression pays over a network; on this machine (the fake server) it only burns both cores
            headers["Accept-Encoding"] = "identity"
        self._session = aiohttp.ClientSession(
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=self.retry.timeout),
            connector=aiohttp.TCPConnector(limit=0),
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session:
            await self._session.close()

    async def _throttle(self, path: str) -> None:
        await self.pause.wait()
        await self._main_limiter.acquire()
        if path == "/fins/summary":
            await self._fins_limiter.acquire()

    def _refund(self, path: str) -> None:
        self._main_limiter.refund()
        if path == "/fins/summary":
            self._fins_limiter.refund()

    def _backoff(self, attempt: int) -> float:
        return random.uniform(0, min(self.retry.backoff_cap, self.retry.backoff * 2**attempt))

    async def _request(
        self, url: str, params: dict[str, str] | None, path: str, with_key: bool
    ) -> tuple[int, bytes, Any]:
        assert self._session is not None, "use 'async with JQuantsClient(...)'"
        await self._throttle(path)
        async with self._semaphore:
            self.requests_sent += 1
            headers = {"x-api-key": self.settings.api_key or ""} if with_key else None
            async with self._session.get(url, params=params, headers=headers) as resp:
                body = await resp.read()
                self.bytes_received += len(body)
                return resp.status, body, resp.headers

    async def call(
        self, path: str, params: dict[str, str], convert: Callable[[bytes], tuple[T, str | None]]
    ) -> tuple[T, str | None]:
        """GET one page and convert its body; returns ``(converted, pagination_key)``.

        ``convert`` validates the page; a :class:`MalformedResponse` from it is retried like a 5xx.
        Big pages are converted in a worker thread so the event loop keeps the sockets busy.
        """
        url = self.settings.api_base + path
        failures = 0
        rate_limited = 0
        while True:
            try:
                status, body, headers = await self._request(url, params, path, with_key=True)
            except aiohttp.ClientConnectorError as exc:  # no connection at all: DNS, refused, unroutable
                reason = f"cannot connect: {exc}"
                status = None
                self._refund(path)
                self._unanswered = True
            except (TimeoutError, aiohttp.ClientError, ConnectionError) as exc:
                reason = f"network error: {type(exc).__name__}: {exc}"
                status = None
            else:
                self._unanswered = False
                if status == 200:
                    self._consecutive_429 = 0
                    try:
                        if len(body) > 65536:
                            return await asyncio.to_thread(convert, body)
                        return convert(body)
                    except MalformedResponse as exc:
                        reason = f"malformed response: {exc}"
                elif status == 210:
                    return convert(b'{"data": []}')
                elif status == 429:
                    rate_limited += 1
                    self._consecutive_429 += 1
                    if rate_limited > self.retry.max_429:
                        raise ApiError(f"{path}: still rate limited (HTTP 429) after {rate_limited} pauses", 429)
                    wait = _retry_after(headers)
                    if wait is None:
                        wait = self.retry.lockout_pause if self._consecutive_429 >= 3 else self.retry.pause_on_429
                    log.warning("HTTP 429 on %s: pausing all requests for %.1f s", path, wait)
                    self.pause.pause_for(wait)
                    continue
                elif status == 403:
                    message = _message(body)
                    if "api key" in message.lower():
                        raise AuthError(BAD_KEY_HINT.format(message=message), 403)
                    raise AuthError(PLAN_HINT.format(path=path, message=message), 403)
                elif status == 400:
                    raise ApiError(f"{path} {params}: HTTP 400 — {_message(body)}", 400)
                elif status in (500, 502, 503, 504):
                    reason = f"HTTP {status}: {_message(body)}"
                else:
                    raise ApiError(f"{path}: unexpected HTTP {status}: {_message(body)}", status)
            failures += 1
            if failures >= self.retry.attempts:
                if self._unanswered:  # nothing has answered since the connections began failing
                    raise HostUnreachable(
                        UNREACHABLE_HINT.format(host=urlsplit(url).netloc, tries=failures, reason=reason)
                    )
                raise ApiError(f"{path} {params}: gave up after {failures} tries; last error: {reason}", status)
            delay = self._backoff(failures - 1)
            log.info("retrying %s %s in %.2f s (%s)", path, params, delay, reason)
            await asyncio.sleep(delay)

    async def pages(
        self, path: str, params: dict[str, str], convert: Callable[[bytes], tuple[T, str | None]]
    ) -> AsyncIterator[T]:
        """Every page of one query, in order, following ``pagination_key`` to the end."""
        query = dict(params)
        while True:
            converted, key = await self.call(path, query, convert)
            yield converted
            if not key:
                return
            query = {**params, "pagination_key": key}

    async def download(self, url: str) -> bytes:
        """Fetch a pre-signed bulk file URL (sent without the API key, as the official client does)."""
        failures = 0
        while True:
            try:
                status, body, _ = await self._request(url, None, "/bulk/file", with_key=False)
            except (TimeoutError, aiohttp.ClientError, ConnectionError) as exc:
                status, body, reason = None, b"", f"network error: {exc}"
            else:
                if status == 200:
                    return body
                reason = f"HTTP {status}: {_message(body)}"
                if status not in (500, 502, 503, 504):
                    raise ApiError(f"bulk download failed: {reason}", status)
            failures += 1
            if failures >= self.retry.attempts:
                raise ApiError(f"bulk download gave up after {failures} tries: {reason}", status)
            await asyncio.sleep(self._backoff(failures - 1))


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _retry_after(headers: Any) -> float | None:
    value = headers.get("Retry-After") if headers is not None else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _message(body: bytes) -> str:
    try:
        payload = parse_envelope(body)
        return str(payload.get("message") or body[:200].decode("utf-8", "replace"))
    except MalformedResponse:
        return body[:200].decode("utf-8", "replace") or "(empty body)"
