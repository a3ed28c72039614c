"""The DuckDB side of ingest: raw tables, one transaction per unit of loading, and the load ledger.

A *unit* is what the loader commits atomically: one dataset-day (bars or statements of one date,
one master snapshot), one code's range, one bulk file, or one range query. Its rows replace the
rows of the same scope, so a rerun never duplicates anything, and its ledger row in ``raw._loads``
is written in the same transaction, so "committed" and "recorded" are the same event.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from .schema import DATASETS, LOADS_DDL, Dataset

#: a unit with no rows counts as complete once the data is at least this old when fetched
SETTLE_AFTER = timedelta(days=2)


@dataclass
class Unit:
    """One atomic piece of a load."""

    dataset: Dataset
    key: str  # e.g. '2024-01-05', 'code=72030', 'bulk:equities/bars/daily/2024/01/...'
    date_from: date
    date_to: date
    params: dict[str, str] = field(default_factory=dict)
    universe: str = ""  # '' = whole market; else the --market filter, e.g. '0111'
    codes: frozenset[str] | None = None  # keep only these codes (the --market universe)
    scope_codes: tuple[str, ...] = ()  # replace only these codes' rows (per-code loads)
    bulk_key: str | None = None

    @property
    def label(self) -> str:
        return f"{self.dataset.name} {self.key}"


def now() -> datetime:
    """Local wall-clock time to the second, as the ledger records it."""
    return datetime.now().replace(microsecond=0)


class WarehouseError(RuntimeError):
    """The warehouse file cannot be opened; ``str()`` says why and what to do."""


def connect(path: Path | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB file, turning DuckDB's errors into one line that says what to do."""
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        raise WarehouseError(open_error_message(path, exc)) from None


def open_error_message(path: Path | str, exc: BaseException) -> str:
    """One line for a DuckDB error met while opening ``path``: locked, not a database, or other."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if "Conflicting lock" in text or "Could not set lock" in text:
        holder = (
            text.split("is held in", 1)[1].split(". See", 1)[0].strip() if "is held in" in text else "another process"
        )
        return (
            f"{path} is in use by {holder}: DuckDB allows one writer per file. Close that program "
            "(dbt, DBeaver, a Python session) and retry; analysts should open the published copy instead."
        )
    if "not a valid DuckDB database" in text or "serializ" in text.lower() or "corrupt" in text.lower():
        return (
            f"{path} is not a DuckDB database (a corrupt or foreign file). Point GOGOOKU3_DUCKDB at the "
            "warehouse file, or move this one aside and run `gogooku3 ingest` to start a new warehouse."
        )
    if "version" in text.lower():
        return f"{path} was written by another DuckDB version than this one ({duckdb.__version__}): {text}"
    return f"cannot open {path}: {text}"


class Warehouse:
    """A DuckDB file holding the ``raw`` schema."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.con = connect(path)
        # the loader streams: DuckDB need not cache the tables it writes (keeps peak RSS well under 1 GB)
        self.con.execute("set memory_limit = '384MB'")
        self.con.execute("set threads = 1")  # appends are single-threaded; idle workers would only spin
        self.con.execute("create schema if not exists raw")
        for ds in DATASETS.values():
            self.con.execute(ds.ddl())
        self.con.execute(LOADS_DDL)

    def close(self) -> None:
        self.con.close()

    # -- reading what is there -------------------------------------------------------------
    def settled_dates(self, dataset: str, universe: str) -> set[date]:
        """Dates already loaded for good: an ok unit with rows, or one fetched well after its date."""
        rows = self.con.execute(
            """
            select unit_from, unit_to from raw._loads
            where dataset = ? and universe = ? and status = 'ok'
              and (rows > 0 or finished_at >= unit_to + ?::interval)
              and unit not like 'code=%'
            """,
            [dataset, universe, f"{SETTLE_AFTER.days} days"],
        ).fetchall()
        done: set[date] = set()
        for a, b in rows:
            d = a
            while d <= b:
                done.add(d)
                d += timedelta(days=1)
        return done

    def settled_units(self, dataset: str, universe: str) -> set[tuple[str, date, date]]:
        rows = self.con.execute(
            "select unit, unit_from, unit_to from raw._loads where dataset = ? and universe = ? and status = 'ok'",
            [dataset, universe],
        ).fetchall()
        return {(u, a, b) for u, a, b in rows}

    def first_requested(self, dataset: str, universe: str) -> date | None:
        """The earliest date any run asked for (its plan row counts, committed before its first request):
        the start of an open-ended resume, which then fetches every unit from there not yet settled."""
        row = self.con.execute(
            "select min(unit_from) from raw._loads where dataset = ? and universe = ?", [dataset, universe]
        ).fetchall()
        return row[0][0] if row else None

    def trading_days(self, start: date, end: date) -> list[date]:
        rows = self.con.execute(
            "select Date from raw.markets_calendar where Date between ? and ? and HolDiv in ('1', '2') order by Date",
            [start, end],
        ).fetchall()
        return [r[0] for r in rows]

    def universe_codes(self, markets: Iterable[str], start: date, end: date) -> frozenset[str]:
        """Codes listed in one of ``markets`` in any master snapshot of the period."""
        markets = list(markets)
        rows = self.con.execute(
            """
            select distinct Code from raw.equities_master
            where Mkt in (select unnest(?::varchar[]))
              and Date <= ? and Date >= (select coalesce(max(Date), ?) from raw.equities_master where Date <= ?)
            """,
            [markets, end, start, start],
        ).fetchall()
        return frozenset(r[0] for r in rows)

    # -- writing -----------------------------------------------------------------------------
    def commit_units(
        self, done: list[tuple[Unit, pa.Table, int, datetime]], failed: list[tuple[Unit, str, datetime]], run_id: str
    ) -> list[int]:
        """Commit finished units (replace each one's scope with its rows) and record failed ones, in one
        transaction (group commit: one WAL flush for many dataset-days). Returns rows written per unit."""
        kept = [(u, self._restrict(u, t), pages, started) for u, t, pages, started in done]
        con = self.con
        con.execute("begin transaction")
        try:
            for unit, table, pages, started in kept:
                where, args = self._scope(unit)
                con.execute(f"delete from raw.{unit.dataset.table} where {where}", args)
                self._ledger(unit, run_id, pages, table.num_rows, started, "ok", None)
            by_table: dict[str, list[pa.Table]] = {}
            for unit, table, _, _ in kept:
                if table.num_rows:
                    by_table.setdefault(unit.dataset.table, []).append(table)
            for name, tables in by_table.items():
                con.register("_unit_rows", pa.concat_tables(tables))
                try:
                    con.execute(f"insert into raw.{name} by name select * from _unit_rows")
                finally:
                    con.unregister("_unit_rows")
            for unit, error, started in failed:
                self._ledger(unit, run_id, 0, 0, started, "failed", error)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        return [t.num_rows for _, t, _, _ in kept]

    @staticmethod
    def _restrict(unit: Unit, table: pa.Table) -> pa.Table:
        """Only the unit's codes (the --market universe) and dates (a bulk file may overhang the range)."""
        ds = unit.dataset
        if unit.codes is not None:
            table = table.filter(pc.is_in(table.column("Code"), pa.array(sorted(unit.codes), pa.string())))
        if table.num_rows:
            dates = table.column(ds.date_field)
            table = table.filter(
                pc.and_(
                    pc.greater_equal(dates, pa.scalar(unit.date_from, pa.date32())),
                    pc.less_equal(dates, pa.scalar(unit.date_to, pa.date32())),
                )
            )
        return table

    def record_plan(self, run_id: str, windows: list[tuple[str, date, date, str]]) -> None:
        """Record what a run is about to load, (dataset, from, to, universe) each, as ``planned`` ledger rows
        committed before its first request: a run killed at any later moment leaves its window behind."""
        self.con.executemany(
            "insert into raw._loads values (?, ?, '_plan', ?, ?, ?, null, null, null, ?, null, 'planned', null)",
            [[run_id, dataset, start, end, universe, now()] for dataset, start, end, universe in windows],
        )

    def record_run(
        self, run_id: str, params: dict[str, object], rows: int, started: datetime, status: str, error: str | None
    ) -> None:
        self.con.execute(
            "insert into raw._loads values (?, '_run', ?, null, null, '', ?, null, ?, ?, ?, ?, ?)",
            [run_id, run_id, json.dumps(params, default=str, sort_keys=True), rows, started, now(), status, error],
        )

    def _ledger(
        self, unit: Unit, run_id: str, pages: int, rows: int, started: datetime, status: str, error: str | None
    ) -> None:
        self.con.execute(
            "insert into raw._loads values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                run_id,
                unit.dataset.name,
                unit.key,
                unit.date_from,
                unit.date_to,
                unit.universe,
                json.dumps(unit.params, sort_keys=True),
                pages,
                rows,
                started,
                now(),
                status,
                error,
            ],
        )

    def _scope(self, unit: Unit) -> tuple[str, list[object]]:
        col = f'"{unit.dataset.date_field}"'
        where = f"{col} between ? and ?"
        args: list[object] = [unit.date_from, unit.date_to]
        if unit.scope_codes:
            where += ' and "Code" in (select unnest(?::varchar[]))'
            args.append(list(unit.scope_codes))
        elif unit.codes is not None:
            where += ' and "Code" in (select unnest(?::varchar[]))'
            args.append(sorted(unit.codes))
        return where, args
