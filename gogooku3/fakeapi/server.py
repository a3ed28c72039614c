"""The fake J-Quants v2 HTTP server (aiohttp): same paths, parameters, auth, paging, gzip, status codes
and error bodies as the real API (fact sheet §2, §3, §7.2), serving a :class:`SyntheticMarket`.

Use it from tests with :class:`FakeJQuants` (runs in a background thread, real HTTP on 127.0.0.1)
or from the shell with ``gogooku3 fake-api``.
"""

from __future__ import annotations

import asyncio
import base64
import calendar as _calendar
import gzip
import hashlib
import hmac
import json
import re
import socket
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Self

import orjson
import polars as pl
from aiohttp import web

from ingest.config import PLAN_ORDER

from .market import MarketConfig, SyntheticMarket

BAD_KEY = "The incoming api key is invalid or expired."
NOT_IN_PLAN = "This API is not available on your subscription plan."
MISSING_TOKEN = "Missing Authentication Token"  # what the gateway says for an unknown path or method
REQUIRES_DATE_OR_CODE = "This API requires at least 1 parameter as follows; date, code"
MIN_PLAN = {
    "/equities/master": "free",
    "/equities/bars/daily": "free",
    "/fins/summary": "free",
    "/markets/calendar": "free",
    "/equities/investor-types": "light",
    "/indices/bars/daily/topix": "light",
}
BULK_ENDPOINTS = (
    "/equities/master",
    "/equities/bars/daily",
    "/fins/summary",
    "/equities/investor-types",
    "/indices/bars/daily/topix",
    "/markets/calendar",
)
FAULT_KINDS = ("429", "500", "502", "503", "slow", "drop", "truncate", "bad_json", "missing_field", "wrong_type")


@dataclass
class Fault:
    """Fail matching requests: ``times`` of them (None = every one), optionally only with given params."""

    kind: str
    path: str = ""  # prefix of the v2 path ('' = any)
    times: int | None = 1
    params: dict[str, str] = field(default_factory=dict)  # must match; '*' = present with any value
    retry_after: float | None = None  # for 429: send a Retry-After header
    delay: float = 2.0  # for 'slow'

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {self.kind!r}; one of {', '.join(FAULT_KINDS)}")

    @classmethod
    def parse(cls, spec: str) -> Fault:
        """CLI form: KIND[:PATH[:TIMES[:SECONDS]]], e.g. '429:/equities/bars/daily:3', '500::*', '429::2:30'
        (SECONDS: the Retry-After header a 429 sends, or how long 'slow' waits)."""
        parts = spec.split(":")
        if len(parts) > 4:
            raise ValueError(f"fault {spec!r}: expected KIND[:PATH[:TIMES[:SECONDS]]]")
        kind, path, times, seconds = parts + [""] * (4 - len(parts))
        try:
            count = None if times == "*" else int(times) if times else 1
            value = float(seconds) if seconds else None
        except ValueError:
            raise ValueError(f"fault {spec!r}: TIMES is a whole number or *, SECONDS a number") from None
        if value is not None and (value < 0 or kind not in ("429", "slow")):
            raise ValueError(f"fault {spec!r}: SECONDS (>= 0) applies to 429 (Retry-After) and slow (delay) only")
        if kind == "slow":
            return cls(kind, path, count, delay=2.0 if value is None else value)
        return cls(kind, path, count, retry_after=value)


@dataclass
class ServerConfig:
    api_keys: dict[str, str] = field(default_factory=lambda: {"fake-key": "light"})  # key → plan
    page_size: int = 10_000  # rows per page (the real API cuts pages near 5 MB)
    rate_limit: int | None = None  # requests per minute per key; None = the plan's limit is not enforced
    faults: list[Fault] = field(default_factory=list)
    gzip_level: int = 1
    url_ttl: float = 300.0  # lifetime of a pre-signed bulk URL, seconds


class FakeApiState:
    """Everything the handlers share: the market, the config, counters."""

    def __init__(self, market: SyntheticMarket, config: ServerConfig) -> None:
        self.market = market
        self.config = config
        self.requests: Counter[str] = Counter()
        self.statuses: Counter[int] = Counter()
        self.log: deque[tuple[float, str, dict[str, str], int]] = deque(
            maxlen=200_000
        )  # (arrival time, path, params, status)
        self._minute: dict[str, tuple[int, int]] = {}
        self._secret = hashlib.sha256(str(market.config).encode()).digest()
        self._lock = threading.Lock()
        self.base_url = ""

    def add_fault(self, fault: Fault) -> None:
        with self._lock:
            self.config.faults.append(fault)

    def take_fault(self, path: str, params: dict[str, str]) -> Fault | None:
        with self._lock:
            for f in self.config.faults:
                if (
                    f.times == 0
                    or not path.startswith(f.path)
                    or not all(params.get(k) == v or (v == "*" and k in params) for k, v in f.params.items())
                ):
                    continue
                if f.times is not None:
                    f.times -= 1
                return f
        return None

    def over_limit(self, key: str) -> bool:
        limit = self.config.rate_limit
        if not limit:
            return False
        minute = int(time.time() // 60)
        with self._lock:
            m, n = self._minute.get(key, (minute, 0))
            n = n + 1 if m == minute else 1
            self._minute[key] = (minute, n)
        return n > limit

    def sign(self, key: str, expires: int) -> str:
        return hmac.new(self._secret, f"{key}|{expires}".encode(), hashlib.sha256).hexdigest()[:32]


class ApiFailure(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def _parse_date(params: dict[str, str], name: str) -> date | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    for fmt in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ApiFailure(400, f"Invalid value for '{name}': {value!r}. Specify a date as YYYYMMDD or YYYY-MM-DD.")


def _range(params: dict[str, str]) -> tuple[date | None, date | None]:
    start, end = _parse_date(params, "from"), _parse_date(params, "to")
    if start and end and start > end:
        raise ApiFailure(400, "'from' must be older than 'to'")
    return start, end


def _page_token(params: dict[str, str], offset: int) -> str:
    digest = hashlib.sha1(json.dumps(sorted(params.items())).encode()).hexdigest()[:12]
    return base64.urlsafe_b64encode(f"{offset}.{digest}".encode()).decode().rstrip("=")


def _read_token(token: str, params: dict[str, str]) -> int:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        offset, digest = raw.split(".")
        if _page_token(params, int(offset)) != token or digest == "":
            raise ValueError
        return int(offset)
    except (ValueError, UnicodeDecodeError):
        raise ApiFailure(
            400, "Invalid pagination_key. Repeat the original query unchanged with the returned key."
        ) from None


# ---------------------------------------------------------------------------------- data handlers
def _master(m: SyntheticMarket, p: dict[str, str], plan: str) -> pl.DataFrame:
    return m.master(day=_parse_date(p, "date"), code=p.get("code") or None)


def _bars(m: SyntheticMarket, p: dict[str, str], plan: str) -> pl.DataFrame:
    code, day = p.get("code") or None, _parse_date(p, "date")
    if not code and not day:
        raise ApiFailure(400, REQUIRES_DATE_OR_CODE)
    start, end = _range(p)
    premium = plan == "premium"
    if day:
        return m.bars(day=day, code=code, premium=premium)
    return m.bars(code=code, start=start, end=end, premium=premium)


def _investor_types(m: SyntheticMarket, p: dict[str, str], plan: str) -> pl.DataFrame:
    start, end = _range(p)
    return m.investor_types(section=p.get("section") or None, start=start, end=end)


def _topix(m: SyntheticMarket, p: dict[str, str], plan: str) -> pl.DataFrame:
    start, end = _range(p)
    return m.topix(start=start, end=end)


def _fins(m: SyntheticMarket, p: dict[str, str], plan: str) -> pl.DataFrame:
    code, day = p.get("code") or None, _parse_date(p, "date")
    if not code and not day:
        raise ApiFailure(400, REQUIRES_DATE_OR_CODE)
    return m.fins(code=code, day=day)


def _calendar_rows(m: SyntheticMarket, p: dict[str, str], plan: str) -> pl.DataFrame:
    start, end = _range(p)
    holdiv = p.get("hol_div") or p.get("holidayDivision") or p.get("holidaydivision") or None
    return m.calendar(start=start, end=end, holdiv=holdiv)


DATA_HANDLERS = {
    "/equities/master": _master,
    "/equities/bars/daily": _bars,
    "/equities/investor-types": _investor_types,
    "/indices/bars/daily/topix": _topix,
    "/fins/summary": _fins,
    "/markets/calendar": _calendar_rows,
}
DATE_FIELDS = {"/equities/investor-types": "PubDate", "/fins/summary": "DiscDate"}


def _month_frames(m: SyntheticMarket, endpoint: str, year: int, month: int, plan: str) -> pl.DataFrame:
    """The content of one monthly bulk file."""
    first, last = date(year, month, 1), date(year, month, _calendar.monthrange(year, month)[1])
    if endpoint == "/equities/bars/daily":
        days = [d for d in m.sessions if first <= d <= min(last, m.as_of)]
        frames = [m.bars(day=d, premium=plan == "premium") for d in days]
        return pl.concat(frames) if frames else m.bars(day=date.min)
    if endpoint == "/fins/summary":
        df = m.fins()
        return df.filter(pl.col("DiscDate").is_between(pl.lit(first.isoformat()), pl.lit(last.isoformat())))
    if endpoint == "/equities/master":
        return m.master(day=first)
    if endpoint == "/equities/investor-types":
        return m.investor_types(start=first, end=last)
    if endpoint == "/indices/bars/daily/topix":
        return m.topix(start=first, end=last)
    return m.calendar(start=first, end=last)


BULK_KEY = re.compile(r"(.+)/(\d{4})/(\d{2})/[^/]+\.csv\.gz")  # <endpoint>/<YYYY>/<MM>/<name>.csv.gz


def _bulk_key(endpoint: str, year: int, month: int) -> str:
    name = endpoint.strip("/").replace("/", "_").replace("-", "_")
    return f"{endpoint.strip('/')}/{year:04d}/{month:02d}/{name}_{year:04d}{month:02d}.csv.gz"


def _months(start: date, end: date) -> list[tuple[int, int]]:
    out, y, mo = [], start.year, start.month
    while (y, mo) <= (end.year, end.month):
        out.append((y, mo))
        y, mo = (y + 1, 1) if mo == 12 else (y, mo + 1)
    return out


# ---------------------------------------------------------------------------------- the app
def create_app(state: FakeApiState) -> web.Application:
    app = web.Application()

    async def handle(request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        params = dict(request.query)
        arrived = time.monotonic()
        state.requests[path] += 1
        try:
            response = await _dispatch(request, state, path, dict(params))
        except ApiFailure as exc:
            response = web.json_response({"message": exc.message}, status=exc.status)
        state.statuses[response.status] += 1
        state.log.append((arrived, path, params, response.status))
        return response

    async def bulk_file(request: web.Request) -> web.StreamResponse:
        key = request.match_info["key"]
        try:
            expires = int(request.query.get("expires", "0"))
        except ValueError:
            expires = 0
        plan = request.query.get("plan", "")
        if expires < time.time() or not hmac.compare_digest(
            state.sign(key + plan, expires), request.query.get("sig", "")
        ):
            return web.Response(
                status=403,
                text="<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>",
                content_type="application/xml",
            )
        body = await asyncio.to_thread(_bulk_body, state.market, key, plan)
        if body is None:
            return web.Response(
                status=404, text="<Error><Code>NoSuchKey</Code></Error>", content_type="application/xml"
            )
        return web.Response(body=body, content_type="application/gzip")

    app.router.add_get("/v2/{tail:.+}", handle)
    app.router.add_get("/bulk-files/{key:.+}", bulk_file)
    app.router.add_route("*", "/{tail:.*}", _unknown)
    return app


async def _unknown(request: web.Request) -> web.Response:
    return web.json_response({"message": MISSING_TOKEN}, status=403)


def _bulk_body(market: SyntheticMarket, key: str, plan: str) -> bytes | None:
    m = BULK_KEY.fullmatch(key)
    if not m or "/" + m.group(1) not in BULK_ENDPOINTS:
        return None
    df = _month_frames(market, "/" + m.group(1), int(m.group(2)), int(m.group(3)), plan)
    return gzip.compress(df.write_csv(null_value="").encode(), compresslevel=6)


async def _dispatch(request: web.Request, state: FakeApiState, path: str, params: dict[str, str]) -> web.StreamResponse:
    key = request.headers.get("x-api-key", "")
    plan = state.config.api_keys.get(key)
    if plan is None:
        raise ApiFailure(403, BAD_KEY)
    if path not in DATA_HANDLERS and path not in ("/bulk/list", "/bulk/get"):
        raise ApiFailure(403, MISSING_TOKEN)
    if state.over_limit(key):
        return web.json_response({"message": "Rate limit exceeded."}, status=429)
    fault = state.take_fault(path, params)
    if fault is not None:
        if fault.kind == "429":
            headers = {"Retry-After": f"{fault.retry_after:g}"} if fault.retry_after is not None else None
            return web.json_response({"message": "Rate limit exceeded."}, status=429, headers=headers)
        if fault.kind in ("500", "502", "503"):
            return web.json_response({"message": "Unexpected error. Please try again later."}, status=int(fault.kind))
        if fault.kind == "slow":
            await asyncio.sleep(fault.delay)
        if fault.kind == "drop":
            assert request.transport is not None
            request.transport.abort()
            raise ApiFailure(500, "connection dropped")  # never reaches the client
    if path == "/bulk/list":
        return _json(request, state, await asyncio.to_thread(_bulk_list, state, params, plan), fault)
    if path == "/bulk/get":
        return _json(request, state, _bulk_get(state, params, plan), fault)
    if PLAN_ORDER.index(plan) < PLAN_ORDER.index(MIN_PLAN[path]):
        raise ApiFailure(403, NOT_IN_PLAN)
    token = params.pop("pagination_key", None)
    frame = await asyncio.to_thread(DATA_HANDLERS[path], state.market, params, plan)
    offset = _read_token(token, params) if token else 0
    size = state.config.page_size
    page = frame.slice(offset, size)
    payload: dict[str, Any] = {"data": page}
    if offset + size < frame.height:
        payload["pagination_key"] = _page_token(params, offset + size)
    return _json(request, state, payload, fault)


def _bulk_list(state: FakeApiState, params: dict[str, str], plan: str) -> dict[str, Any]:
    endpoint, day = params.get("endpoint"), params.get("date")
    if bool(endpoint) == bool(day):
        raise ApiFailure(400, "Specify either 'endpoint' or 'date'.")
    m = state.market
    if day:
        compact = day.replace("-", "")
        if not re.fullmatch(r"\d{6}(\d{2})?", compact):
            raise ApiFailure(400, f"Invalid value for 'date': {day!r}.")
        months = [(int(compact[:4]), int(compact[4:6]))]
        endpoints = [e for e in BULK_ENDPOINTS if plan != "free" or e == "/markets/calendar"]
    else:
        if endpoint not in BULK_ENDPOINTS:
            raise ApiFailure(400, f"Invalid value for 'endpoint': {endpoint!r}.")
        if plan == "free" and endpoint != "/markets/calendar":
            raise ApiFailure(403, NOT_IN_PLAN)
        start, end = _range(params)
        months = _months(max(start or m.sessions[0], m.sessions[0]), min(end or m.as_of, m.as_of))
        endpoints = [endpoint]
    rows = []
    for e in endpoints:
        for y, mo in months:
            first = date(y, mo, 1)
            if first > m.as_of or date(y, mo, _calendar.monthrange(y, mo)[1]) < m.sessions[0]:
                continue
            per_month = {"/equities/bars/daily": m.config.n_codes * 21, "/fins/summary": m.config.n_codes // 3}.get(
                e, 200
            )
            stamp = min(m.as_of, date(y, mo, _calendar.monthrange(y, mo)[1]) + timedelta(days=1))
            rows.append(
                {"Key": _bulk_key(e, y, mo), "LastModified": f"{stamp.isoformat()}T08:00:00Z", "Size": per_month * 60}
            )
    return {"data": rows}


def _bulk_get(state: FakeApiState, params: dict[str, str], plan: str) -> dict[str, Any]:
    key = params.get("key")
    if not key:
        endpoint, day = params.get("endpoint"), (params.get("date") or "").replace("-", "")
        if not endpoint or not re.fullmatch(r"\d{6}(\d{2})?", day):
            raise ApiFailure(400, "Specify 'key', or 'endpoint' and 'date'.")
        key = _bulk_key(endpoint, int(day[:4]), int(day[4:6]))
    m = BULK_KEY.fullmatch(key)
    if not m:
        raise ApiFailure(400, f"Invalid value for 'key': {key!r}.")
    if plan == "free" and "/" + m.group(1) != "/markets/calendar":
        raise ApiFailure(403, NOT_IN_PLAN)
    expires = int(time.time() + state.config.url_ttl)
    url = f"{state.base_url}/bulk-files/{key}?expires={expires}&plan={plan}&sig={state.sign(key + plan, expires)}"
    return {"url": url}


def _json(request: web.Request, state: FakeApiState, payload: dict[str, Any], fault: Fault | None) -> web.Response:
    data = payload.get("data")
    if isinstance(data, pl.DataFrame):
        rows_json = data.write_json().encode() if data.height else b"[]"
        rest = {k: v for k, v in payload.items() if k != "data"}
        body = b'{"data":' + rows_json + (b"," + orjson.dumps(rest)[1:] if rest else b"}")
    else:
        body = orjson.dumps(payload)
    if fault is not None:
        body = _corrupt(body, fault.kind)
    headers = {"Content-Type": "application/json"}
    if "gzip" in request.headers.get("Accept-Encoding", "") and state.config.gzip_level > 0:
        body = gzip.compress(body, compresslevel=state.config.gzip_level)
        headers["Content-Encoding"] = "gzip"
    return web.Response(body=body, headers=headers)


def _corrupt(body: bytes, kind: str) -> bytes:
    if kind == "truncate":
        return body[: max(1, len(body) // 2)]
    if kind == "bad_json":
        return b'{"data": [{"Date": "2024-01-05", oops'
    if kind in ("missing_field", "wrong_type"):
        payload = orjson.loads(body)
        rows = payload.get("data") or []
        if rows:
            if kind == "missing_field":
                rows[0].pop("Code", None) or rows[0].pop("Date", None)
            else:
                numeric = [k for k, v in rows[0].items() if isinstance(v, (int, float)) and not isinstance(v, bool)]
                target = numeric[0] if numeric else next(k for k in rows[0] if k not in ("Code",))
                rows[0][target] = "not-a-number" if numeric else 12345
        return orjson.dumps(payload)
    return body


# ---------------------------------------------------------------------------------- running it
class FakeJQuants:
    """Run the fake server on 127.0.0.1 in a background thread (for tests and ``gogooku3 demo``).

    >>> with FakeJQuants(MarketConfig(n_codes=20)) as api:
    ...     api.base_url  # 'http://127.0.0.1:<port>/v2'
    """

    def __init__(
        self,
        market: SyntheticMarket | MarketConfig | None = None,
        config: ServerConfig | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        if not isinstance(market, SyntheticMarket):
            market = SyntheticMarket(market)
        self.state = FakeApiState(market, config or ServerConfig())
        self.host, self.port = host, port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._ready = threading.Event()

    @property
    def market(self) -> SyntheticMarket:
        return self.state.market

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v2"

    @property
    def api_key(self) -> str:
        return next(iter(self.state.config.api_keys))

    def start(self) -> FakeJQuants:
        self._thread = threading.Thread(target=self._serve, name="fake-jquants", daemon=True)
        self._thread.start()
        if not self._ready.wait(30):
            raise RuntimeError("fake J-Quants server did not start")
        return self

    def _serve(self) -> None:
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        # a handler whose client went away (a killed loader) is cancelled, as a real server stops working for it
        self._runner = web.AppRunner(create_app(self.state), access_log=None, handler_cancellation=True)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, self.host, self.port)
        self._loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.state.base_url = f"http://{self.host}:{self.port}"
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._runner.cleanup())
        self._loop.close()

    def stop(self) -> None:
        if self._loop and self._thread:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_forever(market: SyntheticMarket, config: ServerConfig, listener: socket.socket) -> None:
    """Serve on ``listener``, a socket bound (and listening) before the market was built: a client
    that connects meanwhile waits in its backlog for the answer instead of being refused."""
    host, port = listener.getsockname()[:2]
    state = FakeApiState(market, config)
    state.base_url = f"http://{host}:{port}"
    web.run_app(create_app(state), sock=listener, access_log=None, print=None, handler_cancellation=True)


__all__ = ["FakeJQuants", "Fault", "MarketConfig", "ServerConfig", "create_app", "serve_forever"]
