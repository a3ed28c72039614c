"""`dbt build` on a warehouse missing raw data: no raw tables, or no bars, stop with the command that
loads them; another dataset missing warns by name (its columns would be NULL on every row)."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from gogooku3.fakeapi.server import FakeJQuants, ServerConfig
from tests.conftest import ingest, query
from tests.dbt.runner import WAREHOUSE, copy_warehouse, dbt


@pytest.fixture(scope="module")
def bars_only(small_market, tmp_path_factory):
    """Bars and calendar of two months, nothing else."""
    db = tmp_path_factory.mktemp("bars_only") / WAREHOUSE
    with FakeJQuants(small_market, ServerConfig(api_keys={"k": "premium"})) as api:
        assert ingest(api, db, key="k", datasets=("calendar", "bars"), start=date(2024, 1, 4), end=date(2024, 2, 29)).ok
    return db


def test_a_warehouse_without_raw_tables_stops_with_the_command_to_run(tmp_path):
    db = tmp_path / WAREHOUSE
    duckdb.connect(str(db)).close()
    out = dbt(["run", "--select", "stg_jquants__daily_bars"], db, tmp_path)
    assert out.returncode != 0
    text = " ".join(out.stdout.split())
    assert "has no raw tables" in text and "gogooku3 ingest" in text
    assert "Catalog Error" not in text


def test_missing_bars_stop_the_build_with_the_command(bars_only, tmp_path):
    db = copy_warehouse(bars_only, tmp_path)
    with duckdb.connect(str(db)) as con:
        con.execute("delete from raw.equities_bars_daily")
    out = dbt(["run", "--select", "stg_jquants__daily_bars"], db, tmp_path)
    assert out.returncode != 0
    assert "raw.equities_bars_daily is empty" in " ".join(out.stdout.split())


def test_missing_datasets_are_named_with_the_command_that_loads_them(bars_only, tmp_path):
    db = copy_warehouse(bars_only, tmp_path)
    out = dbt(["run", "--select", "+ml_dataset"], db, tmp_path)
    assert out.returncode == 0, out.stdout[-3000:]
    text = " ".join(out.stdout.split())
    for table, dataset in (
        ("equities_master", "master"),
        ("equities_investor_types", "investor_types"),
        ("indices_topix", "topix"),
        ("fins_summary", "fins"),
    ):
        assert f"raw.{table} is empty" in text
        assert f"gogooku3 ingest --datasets {dataset} --from 2024-01-04" in text
    assert "sector" in text and "smart_money_index" in text
    # what the warning is about: those columns are NULL on every row
    assert query(db, "select count(*), count(smart_money_index) from ml_dataset")[0][1] == 0
