"""Plan a load (which units to fetch) and run it: bounded concurrency, one writer, one ledger."""

from __future__ import annotations

import asyncio
import calendar as _calendar
import gzip
import logging
import re
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import pyarrow as pa

from .client import ApiError, AuthError, HostUnreachable, JQuantsClient, RetryPolicy
from .config import Settings, plan_allows, plan_window, today_jst
from .parse import MalformedResponse, csv_to_table, dataset_page, json_page, parse_envelope
from .schema import DATASETS, Dataset
from .store import Unit, Warehouse, now

log = logging.getLogger(__name__)

MARKET_CODES = {"prime": "0111", "standard": "0112", "growth": "0113"}
#: datasets fetched as one range query per run (small), rather than unit by unit
RANGE_DATASETS = ("calendar", "topix", "investor_types")
BULK_DATASETS = ("bars", "fins")
#: group commit: finished units waiting for the writer are committed together, up to these bounds
GROUP_COMMIT_UNITS = 64
GROUP_COMMIT_ROWS = 250_000
BULK_WORKERS = 2
#: errors after which nothing else in the run can succeed: the run stops
FATAL_ERRORS = (AuthError, HostUnreachable)


def _rows(item: tuple[Any, Any, Any, Any]) -> int:
    """Rows a finished unit brings to the writer (0 for a failure)."""
    result = item[2]
    return 0 if isinstance(result, BaseException) else result.num_rows


@dataclass(frozen=True)
class IngestOptions:
    start: date | None = None
    end: date | None = None
    datasets: tuple[str, ...] = tuple(DATASETS)
    codes: tuple[str, ...] = ()
    markets: tuple[str, ...] = ()  # 4-character market codes
    bulk: bool = False
    refresh: bool = False
    concurrency: int = 16
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    today: date | None = None  # for tests: the loader's notion of "today" (JST)


@dataclass
class IngestReport:
    run_id: str
    rows: Counter[str] = field(default_factory=Counter)
    units: Counter[str] = field(default_factory=Counter)
    failures: list[tuple[str, str]] = field(default_factory=list)
    not_loaded: dict[str, str] = field(default_factory=dict)  # dataset → why it could not be planned
    notes: list[str] = field(default_factory=list)
    requests: int = 0
    bytes: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failures and not self.not_loaded

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def parse_markets(text: str) -> tuple[str, ...]:
    """'prime,growth' or '0111,0113' → ('0111', '0113')."""
    out = []
    for part in filter(None, (p.strip().lower() for p in text.split(","))):
        if part in MARKET_CODES:
            out.append(MARKET_CODES[part])
        elif re.fullmatch(r"\d{4}", part):
            out.append(part)
        else:
            raise ValueError(f"unknown market {part!r}; use prime, standard, growth or a 4-character code like 0111")
    return tuple(sorted(set(out)))


def _days(start: date, end: date) -> Iterator[date]:
    d = start
    while d <= end:
        yield d
        d += timedelta(days=1)


def _month_range(key: str) -> tuple[date, date] | None:
    """The period a bulk file covers, read from the YYYYMMDD or YYYYMM in its key."""
    m = re.search(r"(\d{4})(\d{2})(\d{2})?\.csv", key)
    if not m:
        return None
    y, mo = int(m.group(1)), int(m.group(2))
    if m.group(3):
        d = date(y, mo, int(m.group(3)))
        return d, d
    return date(y, mo, 1), date(y, mo, _calendar.monthrange(y, mo)[1])


class Loader:
    def __init__(
        self,
        settings: Settings,
        options: IngestOptions,
        warehouse: Warehouse,
        on_progress: Callable[[str, str, int, int | None], None] | None = None,
    ) -> None:
        self.settings = settings
        self.opts = options
        self.wh = warehouse
        self.report = IngestReport(run_id=uuid.uuid4().hex[:12])
        self._progress = on_progress or (lambda *a: None)
        self.universe = ",".join(options.markets)

    def note(self, message: str) -> None:
        log.warning(message)
        self.report.notes.append(message)

    # -- planning ---------------------------------------------------------------------------
    def _window(self) -> tuple[date, date]:
        """(clipped end, plan window start) for this run."""
        today = self.opts.today or today_jst()
        window = plan_window(self.settings.plan, today)
        end = self.opts.end or window.end
        if end > window.end:
            self.note(
                f"--to {end} is after what JQUANTS_PLAN={self.settings.plan} can see ({window.end}); "
                f"requests after {window.end} are not sent"
            )
            end = window.end
        return end, window.start

    def _start_for(self, dataset: str, plan_start: date) -> date:
        start = self.opts.start or self.wh.first_requested(dataset, self._universe_of(dataset)) or plan_start
        if start < plan_start:
            self.note(
                f"{dataset}: --from {start} is before what JQUANTS_PLAN={self.settings.plan} covers "
                f"({plan_start}); requests before {plan_start} are not sent"
            )
            start = plan_start
        return start

    def _universe_of(self, dataset: str) -> str:
        return self.universe if dataset in ("bars", "fins") and not self.opts.codes else ""

    def selected(self) -> list[Dataset]:
        out = []
        for name in self.opts.datasets:
            ds = DATASETS[name]
            if not plan_allows(self.settings.plan, ds.min_plan):
                self.note(
                    f"{name}: {ds.path} needs the {ds.min_plan} plan or above; JQUANTS_PLAN={self.settings.plan} — skipped"
                )
                continue
            out.append(ds)
        return out

    def range_unit(self, ds: Dataset, start: date, end: date) -> Unit:
        return Unit(ds, f"{start}..{end}", start, end, {"from": start.isoformat(), "to": end.isoformat()})

    def date_units(self, ds: Dataset, days: list[date], codes: frozenset[str] | None) -> list[Unit]:
        universe = self._universe_of(ds.name)
        done = set() if self.opts.refresh else self.wh.settled_dates(ds.name, universe)
        return [
            Unit(ds, d.isoformat(), d, d, {"date": d.isoformat()}, universe=universe, codes=codes)
            for d in days
            if d not in done
        ]

    def code_units(self, ds: Dataset, start: date, end: date) -> list[Unit]:
        done = set() if self.opts.refresh else self.wh.settled_units(ds.name, "")
        units = []
        for code in self.opts.codes:
            params = {"code": code}
            if ds.name == "bars":
                params |= {"from": start.isoformat(), "to": end.isoformat()}
            key = f"code={code}"
            if (key, start, end) not in done:
                units.append(Unit(ds, key, start, end, params, scope_codes=(code,)))
        return units

    async def bulk_units(
        self, client: JQuantsClient, ds: Dataset, start: date, end: date, codes: frozenset[str] | None
    ) -> list[Unit]:
        params = {"endpoint": ds.path, "from": start.isoformat(), "to": end.isoformat()}
        listing = []
        async for rows in client.pages("/bulk/list", params, json_page):
            listing.extend(rows)
        universe = self._universe_of(ds.name)
        done = set() if self.opts.refresh else self.wh.settled_dates(ds.name, universe)
        units = []
        for item in sorted(listing, key=lambda r: str(r.get("Key"))):
            key = str(item.get("Key") or "")
            period = _month_range(key) or (start, end)
            lo, hi = max(period[0], start), min(period[1], end)
            if lo > hi or all(d in done for d in _days(lo, hi) if d.weekday() < 5):
                continue
            units.append(Unit(ds, f"bulk:{key}", lo, hi, {"key": key}, universe=universe, codes=codes, bulk_key=key))
        return units

    # -- fetching ---------------------------------------------------------------------------
    async def fetch(self, client: JQuantsClient, unit: Unit) -> tuple[pa.Table, int]:
        ds = unit.dataset
        if unit.bulk_key is not None:
            (link, _) = await client.call(
                "/bulk/get", {"key": unit.bulk_key}, lambda body: (parse_envelope(body).get("url"), None)
            )
            if not isinstance(link, str) or not link:
                raise MalformedResponse("/bulk/get answered without a 'url'")
            data = await client.download(link)
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            return csv_to_table(data, ds), 1
        tables = []
        async for table in client.pages(ds.path, unit.params, dataset_page(ds)):
            tables.append(table)
        return pa.concat_tables(tables), len(tables)

    async def run_units(self, client: JQuantsClient, units: list[Unit]) -> None:
        """Fetch concurrently; one writer commits whatever has arrived as one group, in a worker thread."""
        if not units:
            return
        todo: asyncio.Queue[Unit] = asyncio.Queue()
        for u in units:
            todo.put_nowait(u)
        # room for a full commit group of small units; bulk files are big, keep few of them in memory
        room = 1 if self.opts.bulk else max(GROUP_COMMIT_UNITS, 2 * self.opts.concurrency)
        done: asyncio.Queue[tuple[Unit, datetime, Any, int] | None] = asyncio.Queue(maxsize=room)
        fatal: list[BaseException] = []

        async def worker() -> None:
            while not fatal:
                try:
                    unit = todo.get_nowait()
                except asyncio.QueueEmpty:
                    return
                started = now()
                try:
                    table, pages = await self.fetch(client, unit)
                    await done.put((unit, started, table, pages))
                except (ApiError, MalformedResponse) as exc:
                    if fatal:  # the run is over: this unit stays unfetched, and the next run plans it again
                        return
                    if isinstance(exc, FATAL_ERRORS):
                        fatal.append(exc)
                    await done.put((unit, started, exc, 0))

        async def writer(n: int) -> None:
            written, stop = 0, False
            while written < n and not stop:
                first = await done.get()
                if first is None:  # the workers gave up (see below): nothing more will come
                    return
                batch, rows = [first], _rows(first)
                while not done.empty() and len(batch) < GROUP_COMMIT_UNITS and rows < GROUP_COMMIT_ROWS:
                    item = done.get_nowait()
                    if item is None:
                        stop = True
                        break
                    batch.append(item)
                    rows += _rows(item)
                ok = [(u, r, p, s) for u, s, r, p in batch if not isinstance(r, BaseException)]
                failed = [(u, r, s) for u, s, r, p in batch if isinstance(r, BaseException)]
                counts = await asyncio.to_thread(
                    self.wh.commit_units, ok, [(u, str(e), s) for u, e, s in failed], self.report.run_id
                )
                for (unit, _, pages, _), rows_written in zip(ok, counts):
                    self.report.rows[unit.dataset.name] += rows_written
                    self.report.units["ok"] += 1
                    log.info("committed %s: %d rows, %d page(s)", unit.label, rows_written, pages)
                    self._progress(unit.dataset.name, unit.key, rows_written, pages)
                for unit, error, _ in failed:
                    self.report.failures.append((unit.label, str(error)))
                    self.report.units["failed"] += 1
                    if not isinstance(error, FATAL_ERRORS):  # those end the run with their own message
                        log.error("failed %s: %s", unit.label, error)
                    self._progress(unit.dataset.name, unit.key, 0, None)
                written += len(batch)

        # a bulk file is a month of the market: a few in flight keep both cores busy and memory small
        n_workers = min(BULK_WORKERS if any(u.bulk_key for u in units) else self.opts.concurrency, len(units))
        workers = [asyncio.create_task(worker()) for _ in range(n_workers)]
        write = asyncio.create_task(writer(len(units)))
        await asyncio.gather(*workers)
        if fatal:
            # commit what was fetched, then stop: nothing more can succeed with this key or plan
            await done.put(None)
            await write
            raise fatal[0]
        await write

    # -- the whole run ----------------------------------------------------------------------
    def mark_not_loaded(self, dataset: str, reason: str) -> None:
        """A dataset this run could not even plan: reported (the run fails) and planned again next run."""
        log.info("%s not loaded: %s", dataset, reason)
        self.report.not_loaded[dataset] = reason

    def _calendar_failed(self) -> bool:
        return any(label.startswith("calendar ") for label, _ in self.report.failures)

    async def run(self, plan_hook: Callable[[str, int], None] | None = None) -> IngestReport:
        plan_hook = plan_hook or (lambda *a: None)
        loop_started = asyncio.get_running_loop().time()
        end, plan_start = self._window()
        selected = self.selected()
        names = {d.name for d in selected}
        starts = {d.name: self._start_for(d.name, plan_start) for d in selected}
        starts.setdefault("calendar", min(starts.values(), default=plan_start))
        # the window goes into the ledger before the first request: however this run ends, the next
        # open-ended run resumes from here and fetches whatever is not settled
        self.wh.record_plan(
            self.report.run_id, [(name, start, end, self._universe_of(name)) for name, start in starts.items()]
        )
        log.info("planned %s", ", ".join(f"{name} {start}..{end}" for name, start in starts.items()))
        async with JQuantsClient(self.settings, self.opts.concurrency, self.opts.retry) as client:
            try:
                # 1. the calendar decides which days to ask for
                cal_start = min(starts.values())
                cal = [self.range_unit(DATASETS["calendar"], cal_start, end)]
                plan_hook("calendar", 1)
                await self.run_units(client, cal)
                calendar_ok = not self._calendar_failed()
                # 2. master snapshots (first trading day of each month) define the universe
                if "master" in names and not calendar_ok:
                    self.mark_not_loaded(
                        "master", "its snapshot days come from the trading calendar, which failed to load"
                    )
                elif "master" in names:
                    days = self.wh.trading_days(starts["master"], end)
                    snaps = sorted(
                        {min(d for d in days if (d.year, d.month) == ym) for ym in {(d.year, d.month) for d in days}}
                        | ({days[0]} if days else set())
                    )
                    units = self.date_units(DATASETS["master"], snaps, None)
                    plan_hook("master", len(units))
                    await self.run_units(client, units)
                codes = None
                if self.opts.markets:
                    codes = self.wh.universe_codes(self.opts.markets, min(starts.values()), end)
                    if not codes:
                        self.note(
                            f"--market {','.join(self.opts.markets)}: no listed codes in the master for "
                            f"{min(starts.values())}..{end}; bars and statements are not fetched"
                        )
                # 3. everything else, concurrently
                units: list[Unit] = []
                for ds in selected:
                    if ds.name in ("calendar", "master"):
                        continue
                    start = starts[ds.name]
                    if ds.name in RANGE_DATASETS:
                        these = [self.range_unit(ds, start, end)]
                    elif self.opts.markets and not codes:
                        these = []
                    elif self.opts.codes:
                        these = self.code_units(ds, start, end)
                    elif self.opts.bulk and ds.name in BULK_DATASETS:
                        try:
                            these = await self.bulk_units(client, ds, start, end, codes)
                        except (ApiError, MalformedResponse) as exc:
                            if isinstance(exc, FATAL_ERRORS):
                                raise
                            self.mark_not_loaded(ds.name, f"listing its bulk files failed: {exc}")
                            continue
                    elif ds.name == "bars" and not calendar_ok:
                        self.mark_not_loaded("bars", "its days come from the trading calendar, which failed to load")
                        continue
                    elif ds.name == "bars":
                        these = self.date_units(ds, self.wh.trading_days(start, end), codes)
                    else:
                        # statements: every calendar day — TDnet releases land on weekdays, holidays included,
                        # and a statement dated on a weekend must not be lost
                        these = self.date_units(ds, list(_days(start, end)), codes)
                    plan_hook(ds.name, len(these))
                    units.extend(these)
                # interleave datasets so that small ones are not stuck behind 1,000 days of bars
                units.sort(key=lambda u: (u.date_from, u.dataset.name))
                await self.run_units(client, units)
            finally:
                self.report.requests = client.requests_sent
                self.report.bytes = client.bytes_received
                self.report.seconds = asyncio.get_running_loop().time() - loop_started
        return self.report
