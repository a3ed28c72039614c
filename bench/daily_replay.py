"""Replay a loaded warehouse one trading day at a time, as the daily job would see the feed.

`rewind` deletes from the raw tables everything published after a cutoff day; `advance` copies
one day's publications back from the fully loaded original. Between the two, `dbt run`/`dbt build`
sees exactly what a daily `gogooku3 ingest --from D --to D` adds (bars, TOPIX and the master of
day D, investor types and statements published that day). The calendar is left whole: the API
publishes it ahead. Used by the incremental-update test and bench/bench_incremental.py.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

# the incremental models and their keys: what a daily run must leave equal to a full refresh
INCREMENTAL_TABLES = {
    "intermediate.int_price_observations": ("code", "date"),
    "intermediate.int_bar_presence": ("code", "date"),
    "intermediate.int_features__long_memory": ("code", "row_idx"),
    "intermediate.int_features__volatility": ("code", "row_idx"),
    "intermediate.int_features__extended": ("code", "row_idx"),
    "intermediate.int_features__return_bounds": ("date",),
    "main.ml_dataset": ("code", "date"),
    "intermediate.int_enrichment__statements": ("code", "date"),
    "intermediate.int_enrichment__blocks": ("code", "date"),
    "quality.dq_bar_checks": ("code", "date", "check_name"),
    "quality.dq_feature_histogram": ("feature", "month", "bucket"),
    "quality.dq_feature_drift": ("feature", "month"),
}
# the dbt selection that builds them all
INCREMENTAL_SELECTION = "+int_enrichment__blocks int_bar_presence dq_bar_checks dq_feature_histogram dq_feature_drift"

# raw table -> the column saying when a row became known
PUBLISHED_ON = {
    "equities_bars_daily": '"Date"',
    "indices_topix": '"Date"',
    "equities_master": '"Date"',
    "equities_investor_types": '"PubDate"',
    "fins_summary": '"DiscDate"',
}


def bar_days(con: duckdb.DuckDBPyConnection) -> list[date]:
    """The days with bars in the warehouse, ascending."""
    return [d for (d,) in con.execute('select distinct "Date" from raw.equities_bars_daily order by 1').fetchall()]


def rewind(db: Path, cutoff: date) -> None:
    """Delete every raw row published after `cutoff`."""
    con = duckdb.connect(str(db))
    try:
        for table, column in PUBLISHED_ON.items():
            con.execute(f"delete from raw.{table} where cast({column} as date) > ?", [cutoff])
    finally:
        con.close()


def advance(db: Path, original: Path, day: date) -> int:
    """Copy the rows published on `day` from `original` into `db`; returns the bars added."""
    con = duckdb.connect(str(db))
    try:
        con.execute(f"attach '{original}' as original (read_only)")
        for table, column in PUBLISHED_ON.items():
            con.execute(
                f"insert into raw.{table} by name select * from original.raw.{table} where cast({column} as date) = ?",
                [day],
            )
        return con.execute('select count(*) from raw.equities_bars_daily where "Date" = ?', [day]).fetchone()[0]
    finally:
        con.close()


def max_differences(db_a: Path, db_b: Path, table: str, key: tuple[str, ...]) -> dict[str, tuple[float, int]]:
    """Per column of `table` in two warehouses: (largest difference of the non-NULL pairs, relative to
    max(|b|, 1) — relative for prices, absolute for returns and ratios near 0 —, rows that differ
    otherwise: one side NULL, a row missing on one side, or unequal non-floats)."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{db_a}' as a (read_only)")
        con.execute(f"attach '{db_b}' as b (read_only)")
        schema, name = table.split(".")
        columns = con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_catalog = 'a' and table_schema = ? and table_name = ? order by ordinal_position",
            [schema, name],
        ).fetchall()
        using = ", ".join(key)
        on_both = " and ".join(f"x.{k} is not null and y.{k} is not null" for k in key)
        parts = []
        for column, dtype in columns:
            if column in key:
                continue
            if dtype in ("DOUBLE", "FLOAT"):
                parts.append(f"coalesce(max(abs(x.{column} - y.{column}) / greatest(abs(y.{column}), 1.0)), 0)")
                parts.append(f"count(*) filter (where (x.{column} is null) <> (y.{column} is null) or not ({on_both}))")
            else:
                parts.append("0")
                parts.append(f"count(*) filter (where x.{column} is distinct from y.{column} or not ({on_both}))")
        row = con.execute(
            f"select {', '.join(parts)} from a.{table} as x full join b.{table} as y using ({using})"
        ).fetchone()
        names = [c for c, _ in columns if c not in key]
        return {c: (float(row[2 * i]), int(row[2 * i + 1])) for i, c in enumerate(names)}
    finally:
        con.close()
