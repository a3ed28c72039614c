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


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


class Warehouse:
    """A DuckDB file holding the ``raw`` schema."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(str(path))
        except duckdb.IOException as exc:
            raise RuntimeError(
                f"cannot open {path} for writing: {exc}. Another process (dbt, an analyst's session) holds it; "
                "close it and retry."
            ) from None
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
        """The earliest date ever requested for a dataset: the start of an open-ended resume."""
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

    def calendar_days(self, start: date, end: date) -> list[date]:
        rows = self.con.execute(
            "select Date from raw.markets_calendar where Date between ? and ? order by Date", [start, end]
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
    def commit_unit(self, unit: Unit, table: pa.Table, pages: int, run_id: str, started: datetime) -> int:
        """Replace the unit's scope with ``table`` and record it, in one transaction. Returns rows written."""
        ds = unit.dataset
        if unit.codes is not None:
            table = table.filter(pc.is_in(table.column("Code"), pa.array(sorted(unit.codes), pa.string())))
        if table.num_rows:
            table = table.filter(
                pc.and_(
                    pc.greater_equal(table.column(ds.date_field), pa.scalar(unit.date_from, pa.date32())),
                    pc.less_equal(table.column(ds.date_field), pa.scalar(unit.date_to, pa.date32())),
                )
            )
        con = self.con
        con.execute("begin transaction")
        try:
            where, args = self._scope(unit)
            con.execute(f"delete from raw.{ds.table} where {where}", args)
            if table.num_rows:
                con.register("_unit_rows", table)
                try:
                    con.execute(f"insert into raw.{ds.table} by name select * from _unit_rows")
                finally:
                    con.unregister("_unit_rows")
            self._ledger(unit, run_id, pages, table.num_rows, started, "ok", None)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        return table.num_rows

    def record_failure(self, unit: Unit, run_id: str, started: datetime, error: str, pages: int = 0) -> None:
        self._ledger(unit, run_id, pages, 0, started, "failed", error)

    def record_run(self, run_id: str, params: dict[str, object], rows: int, started: datetime, status: str, error: str | None) -> None:
        self.con.execute(
            "insert into raw._loads values (?, '_run', ?, null, null, '', ?, null, ?, ?, ?, ?, ?)",
            [run_id, run_id, json.dumps(params, default=str, sort_keys=True), rows, started, _now(), status, error],
        )

    def _ledger(self, unit: Unit, run_id: str, pages: int, rows: int, started: datetime, status: str, error: str | None) -> None:
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
                _now(),
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
