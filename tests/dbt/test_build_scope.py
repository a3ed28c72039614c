"""A daily `dbt build` tests the rows it wrote; `dbt test`, a full refresh and `tests_scope: all` test
everything (macros/incremental/build_scope.sql).

A warehouse is built up to the day before a split, then advanced one day at a time. Bad values are
planted where the tests can see them: one in an old row outside any daily scope, one in a row of
the days a daily run may rewrite, one in a bar of the new day."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from gogooku3.fakeapi.market import MarketConfig, SyntheticMarket
from gogooku3.fakeapi.server import FakeJQuants, ServerConfig
from tests.conftest import ingest, query
from tests.dbt.runner import copy_warehouse
from tests.dbt.runner import dbt as run_dbt

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from daily_replay import advance, bar_days, rewind

# 16 months: most codes have more than the 252 rows under which a code is tested whole
MARKET = MarketConfig(seed=31, n_codes=10, start=date(2023, 1, 4), end=date(2024, 4, 30), split_rate=0.8)
RSI_TEST = "accepted_range_ml_dataset_rsi_14__100__0"
OHLC_TEST = "stg_daily_bars_ohlc_consistent"


def dbt(db: Path, target: Path, *args: str) -> dict[str, dict]:
    """Run dbt with its target/ at `target`; the results by node name (status, failures)."""
    # cautious: leave out the tests that also read models outside the selection (not built here)
    results_file = target / "run_results.json"
    results_file.unlink(missing_ok=True)  # the previous run's: a run that fails to start writes none
    out = run_dbt([*args, "--indirect-selection", "cautious"], db, target.parent)
    assert results_file.exists(), out.stdout[-3000:]
    results = json.loads(results_file.read_text())["results"]
    by_name = {r["unique_id"].split(".")[2]: r for r in results}
    assert all(r["status"] != "error" for r in results), out.stdout[-3000:]
    return by_name


def invocation(target: Path) -> str:
    return json.loads((target / "run_results.json").read_text())["metadata"]["invocation_id"]


def failures(results: dict[str, dict], test: str) -> int:
    return results[test]["failures"]


def notes(db: Path) -> dict[str, str]:
    ((comment,),) = query(db, "select comment from duckdb_tables() where table_name = 'int_price_observations'")
    return dict(part.split("=", 1) for part in comment.split("; "))


@pytest.fixture(scope="module")
def scoped(tmp_path_factory):
    """(warehouse built to the day before a split, the loaded original, the split day, its split code,
    the replay days after it, dbt target dir)."""
    tmp = tmp_path_factory.mktemp("scope")
    loaded = tmp / "loaded.duckdb"
    with FakeJQuants(SyntheticMarket(MARKET), ServerConfig(api_keys={"k": "premium"})) as api:
        assert ingest(api, loaded, key="k", start=MARKET.start, end=MARKET.end, today=MARKET.end).ok
    con = duckdb.connect(str(loaded), read_only=True)
    days = bar_days(con)
    # the last split of a code with a long history (> 252 bars before it), a few days before the end
    split_day, split_code = con.execute(
        """select "Date", "Code" from (
               select "Date", "Code", "AdjFactor", row_number() over (partition by "Code" order by "Date") as n
               from raw.equities_bars_daily where "C" is not null)
           where "AdjFactor" <> 1 and n > 260 and "Date" <= ?
           order by "Date" desc limit 1""",
        [days[-3]],
    ).fetchall()[0]
    con.close()
    db = copy_warehouse(loaded, tmp)
    rewind(db, days[days.index(split_day) - 1])
    target = tmp / "target"
    first = dbt(db, target, "build", "--select", "+ml_dataset")
    assert first[RSI_TEST]["status"] == "pass"
    return db, loaded, split_day, split_code, days[days.index(split_day) :], target


def test_a_daily_build_tests_the_rows_it_wrote(scoped):
    db, loaded, split_day, split_code, (_, next_day, *_), target = scoped
    previous_day = query(db, "select max(date) from ml_dataset")[0][0]
    old_day = query(db, "select min(date) from ml_dataset where code <> ?", [split_code])[0][0]
    other = query(
        db, "select code from ml_dataset where date = ? and code <> ? order by code limit 1", [previous_day, split_code]
    )[0][0]
    con = duckdb.connect(str(db))
    # an RSI out of range in an old row, and one on the last built day (a daily run may rewrite its targets)
    con.execute("update ml_dataset set rsi_14 = 150 where code = ? and date in (?, ?)", [other, old_day, previous_day])
    # an old bar whose high is below its low
    con.execute('update raw.equities_bars_daily set "H" = "L" - 1 where "Code" = ? and "Date" = ?', [other, old_day])
    con.close()
    assert advance(db, loaded, split_day) > 0
    con = duckdb.connect(str(db))  # and a new bar whose high is below its low
    con.execute('update raw.equities_bars_daily set "H" = "L" - 1 where "Code" = ? and "Date" = ?', [other, split_day])
    con.close()

    daily = dbt(db, target, "build", "--select", "+ml_dataset")
    scope = notes(db)
    assert scope["tested_by"] == invocation(target)  # stored by this build
    assert scope["tests_from"] <= str(previous_day) and split_code in scope["tests_codes"].split(",")
    # a view scoped by day alone (meta build_scope without a code: the enrichment's cross-section) reads
    # the scope's days (compiled with the observations selected, so with the scope of their next daily
    # run; the daily build above would skip it, downstream of failing tests)
    dbt(db, target, "compile", "--select", "int_price_observations int_enrichment__cross_section")
    compiled = target / "compiled" / "gogooku3" / "models" / "intermediate" / "enrichment" / "_enrichment__models.yml"
    (view_test,) = [
        p.read_text()
        for p in compiled.glob("unique_combination_of_columns_*.sql")
        if "int_enrichment__cross_section" in p.read_text()
    ]
    assert 'int_enrichment__cross_section" where date >= date ' in view_test, view_test
    assert other not in scope["tests_codes"].split(",")
    # the new bar and the recent row fail; the old row and the old bar lie outside the scope
    assert failures(daily, OHLC_TEST) == 1
    assert failures(daily, RSI_TEST) == 1
    assert daily["assert_target_1d_is_next_returns_1d"]["status"] == "pass"
    assert daily["assert_row_counts_preserved"]["status"] == "pass"

    # `dbt test` (no model built in its invocation) reads every row
    whole = dbt(db, target, "test", "--select", "stg_jquants__daily_bars ml_dataset")
    assert failures(whole, OHLC_TEST) == 2
    assert failures(whole, RSI_TEST) == 2

    # so does a daily build told to
    assert advance(db, loaded, next_day) > 0
    told = dbt(db, target, "build", "--select", "+ml_dataset", "--vars", "{tests_scope: all}")
    assert failures(told, OHLC_TEST) == 2
    assert failures(told, RSI_TEST) == 2
    # a build with nothing new still tests the last 20 days
    again = dbt(db, target, "build", "--select", "+ml_dataset")
    assert failures(again, RSI_TEST) == 1
    assert again["not_empty_stg_jquants__daily_bars_"]["status"] == "pass"
    # an old row given the row number of a recent one: a key without the date is checked against
    # every row, not only the scope's
    con = duckdb.connect(str(db))
    con.execute(
        """update intermediate.int_features__extended set row_idx = (
                       select max(row_idx) from intermediate.int_features__extended where code = ?)
                   where code = ? and date = ?""",
        [other, other, old_day],
    )
    con.close()
    duplicated = dbt(db, target, "build", "--select", "+ml_dataset")
    assert failures(duplicated, "unique_combination_of_columns_int_features__extended_code__row_idx") == 1
    assert duplicated["unique_combination_of_columns_int_features__extended_code__date"]["status"] == "pass"
    # a `dbt run` tests nothing, so it records no scope (and a later `dbt test` reads everything)
    dbt(db, target, "run", "--select", "int_price_observations")
    assert "tested_by" not in notes(db) and "built_through" in notes(db)


def test_a_full_refresh_tests_every_row(scoped):
    db, _, _, _, _, target = scoped
    con = duckdb.connect(str(db))
    bad = con.execute('select count(*) from raw.equities_bars_daily where "H" < "L"').fetchall()[0][0]
    con.close()
    full = dbt(db, target, "build", "--select", "+ml_dataset", "--full-refresh")
    assert "tested_by" not in notes(db)
    assert failures(full, OHLC_TEST) == bad == 2
