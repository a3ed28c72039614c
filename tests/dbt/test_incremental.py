"""Daily incremental runs of the feature models and the enrichment table equal a full refresh.

A warehouse is replayed one trading day at a time (bench/daily_replay.py: what a daily
`gogooku3 ingest` adds), each day followed by `dbt run --select` the incremental models
(INCREMENTAL_SELECTION: +int_enrichment__blocks, which includes +ml_dataset, and the incremental
data-quality tables); after 30 days the tables must equal those of one full refresh of the same
warehouse — on a market with splits among those days (a split restates the code's adjusted
history, so that code is recomputed whole), and with one day on which only the observations and
the daily scope were built (the next run catches the other models up)."""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from gogooku3.fakeapi.market import MarketConfig, SyntheticMarket
from gogooku3.fakeapi.server import FakeJQuants, ServerConfig
from tests.conftest import ingest, query
from tests.dbt.runner import WAREHOUSE, DbtResult, copy_warehouse, dbt

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from daily_replay import INCREMENTAL_SELECTION, INCREMENTAL_TABLES, advance, bar_days, max_differences, rewind

MARKET = MarketConfig(seed=29, n_codes=24, start=date(2024, 1, 4), end=date(2024, 9, 30), split_rate=0.6)
INCREMENTS = 30
# on this replayed day only the observations and the scope are built, as when a build fails after
# them: the next day's run must catch the feature models up on both days
MISSED_DAY = 12
# the smoothings of a daily run sum in another order than a full refresh: equal to ~1e-11 of the
# price scale (observed max 5e-11 for the MACD histogram); everything else must match exactly
TOLERANCE = 1e-9


def dbt_run(db: Path, folder: Path, *args: str, check: bool = True) -> DbtResult:
    # no run_results.json: nothing here reads it. Every warehouse run here is named WAREHOUSE, so the
    # runner parses the project once for all of them
    assert db.name == WAREHOUSE
    out = dbt(["run", "--select", INCREMENTAL_SELECTION, *args, "--no-write-json"], db, folder)
    if check:
        assert out.returncode == 0, out.stdout[-3000:]
    return out


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> Path:
    """The whole market, ingested from the fake server."""
    db = tmp_path_factory.mktemp("replay") / "loaded.duckdb"
    with FakeJQuants(SyntheticMarket(MARKET), ServerConfig(api_keys={"k": "premium"})) as api:
        assert ingest(api, db, key="k", start=MARKET.start, end=MARKET.end, today=MARKET.end).ok
    return db


@pytest.fixture(scope="module")
def replayed(loaded, tmp_path_factory):
    """(incrementally built warehouse, fully refreshed copy, the replayed days)."""
    tmp = tmp_path_factory.mktemp("increments")
    con = duckdb.connect(str(loaded), read_only=True)
    all_days = bar_days(con)
    con.close()
    days = all_days[-INCREMENTS:]
    db = copy_warehouse(loaded, tmp / "daily")
    rewind(db, all_days[-INCREMENTS - 1])
    dbt_run(db, tmp)
    for i, day in enumerate(days):
        assert advance(db, loaded, day) > 0
        if i == MISSED_DAY:
            out = dbt(["run", "--select", "+int_daily_scope", "--no-write-json"], db, tmp)
            assert out.returncode == 0, out.stdout[-3000:]
        else:
            dbt_run(db, tmp)
    full = copy_warehouse(db, tmp / "full")
    dbt_run(full, tmp, "--full-refresh")
    return db, full, days


def test_the_replayed_days_include_splits(loaded, replayed):
    _, _, days = replayed
    splits = query(
        loaded,
        'select count(*) from raw.equities_bars_daily where "AdjFactor" <> 1 and "Date" between ? and ?',
        [days[0], days[-1]],
    )[0][0]
    assert splits >= 2


@pytest.mark.parametrize("table", list(INCREMENTAL_TABLES))
def test_thirty_daily_runs_equal_a_full_refresh(replayed, table):
    db, full, _ = replayed
    assert query(db, f"select count(*) from {table}") == query(full, f"select count(*) from {table}")
    differences = max_differences(db, full, table, INCREMENTAL_TABLES[table])
    assert differences
    mismatched = {c: n for c, (_, n) in differences.items() if n}
    assert not mismatched, f"rows that differ beyond rounding (NULLs, missing rows, integers): {mismatched}"
    drift = {c: d for c, (d, _) in differences.items() if d > TOLERANCE}
    assert not drift, f"largest differences relative to max(|value|, 1): {drift}"


def test_a_daily_run_continues_from_the_stored_state(replayed, tmp_path):
    """The new row is computed from the stored last row, not from history: a perturbed stored EMA
    and ATR show up in the next day's values by the recursion's weight (EMA200: 1 − 2/201; ATR: 13/14),
    and an old ml_dataset row is left as stored (not re-written)."""
    db, _, days = replayed
    probe = copy_warehouse(db, tmp_path)
    code, row = query(
        probe,
        "select code, max(row_idx) from main.ml_dataset where date = ? group by code order by code limit 1",
        [days[-1]],
    )[0]
    con = duckdb.connect(str(probe))
    con.execute(
        "update intermediate.int_features__long_memory set ema_200 = ema_200 + 1 where code = ? and row_idx = ?",
        [code, row],
    )
    con.execute(
        "update intermediate.int_features__extended set atr_14 = atr_14 + 1 where code = ? and row_idx = ?", [code, row]
    )
    con.execute("update main.ml_dataset set bb_bandwidth = -1 where code = ? and row_idx = 30", [code])
    before = con.execute(
        "select ema_200, atr_14 from main.ml_dataset where code = ? and row_idx = ?", [code, row]
    ).fetchone()
    # one more day for that code: its last bar again, the next day
    next_day = days[-1] + timedelta(days=1)
    con.execute(
        """insert into raw.equities_bars_daily by name
                   select * replace (cast(? as date) as "Date", 1.0 as "AdjFactor")
                   from raw.equities_bars_daily where "Code" = ? and "Date" = ?""",
        [next_day, code, days[-1]],
    )
    con.close()
    dbt_run(probe, tmp_path)
    close, high, low, ema_200, atr_14 = query(
        probe,
        "select close, high, low, ema_200, atr_14 from main.ml_dataset where code = ? and row_idx = ?",
        [code, row + 1],
    )[0]
    alpha = 2 / 201
    assert ema_200 == pytest.approx((1 - alpha) * (before[0] + 1) + alpha * close, rel=1e-12)
    # the repeated bar's true range is its high - low (its close is the previous close)
    assert atr_14 == pytest.approx(((before[1] + 1) * 13 + (high - low)) / 14, rel=1e-12)
    assert query(probe, "select bb_bandwidth from main.ml_dataset where code = ? and row_idx = 30", [code]) == [(-1.0,)]


def record_bar_load(con: duckdb.DuckDBPyConnection, day: date) -> None:
    """A ledger row as the loader writes it for one re-fetched day of bars, finished after the last build."""
    con.execute(
        """insert into raw._loads (run_id, dataset, unit, unit_from, unit_to, universe, status, finished_at)
                   select 'refetch', 'bars', cast(? as varchar), ?, ?, '', 'ok', max(finished_at) + interval 1 hour
                   from raw._loads""",
        [day, day, day],
    )


def test_a_re_ingested_past_stops_the_daily_run_and_writes_nothing(replayed, tmp_path):
    """Bars re-loaded for a built day: identical ones pass; a changed one stops the daily run with
    the full-refresh advice before any table changes (the daily run only appends later days)."""
    db, _, days = replayed
    probe = copy_warehouse(db, tmp_path)
    old_day = days[5]
    con = duckdb.connect(str(probe))
    record_bar_load(con, old_day)  # the same bars fetched again
    con.close()
    dbt_run(probe, tmp_path)

    con = duckdb.connect(str(probe))
    code = con.execute('select min("Code") from raw.equities_bars_daily where "Date" = ?', [old_day]).fetchone()[0]
    con.execute('update raw.equities_bars_daily set "C" = "C" * 1.01 where "Code" = ? and "Date" = ?', [code, old_day])
    record_bar_load(con, old_day)
    before = con.execute("select count(*), sum(close) from intermediate.int_price_observations").fetchone()
    con.close()
    out = dbt_run(probe, tmp_path, check=False)
    assert out.returncode != 0
    assert f"1 bar(s) of 1 code(s) ({code}) on days {old_day} to {old_day}" in out.stdout, out.stdout[-3000:]
    assert "dbt build --full-refresh" in out.stdout
    assert query(probe, "select count(*), sum(close) from intermediate.int_price_observations") == [before]


def test_daily_runs_leave_no_temporary_tables(replayed):
    # dbt-duckdb leaves an incremental Python model's `<model>__dbt_tmp<timestamp>` table behind; the
    # project's on-run-end hook drops it (and anything a killed build left), so thirty runs leave none
    db, _, _ = replayed
    assert query(db, "select count(*) from raw.equities_bars_daily")[0][0] > 0
    assert (
        query(db, "select table_schema, table_name from information_schema.tables where table_name like '%dbt_tmp%'")
        == []
    )
