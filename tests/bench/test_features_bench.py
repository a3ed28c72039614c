"""bench_features' design floor copies exactly the tables the features' full refresh stores:
every table or incremental model upstream of ml_dataset, no view, nothing downstream."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from bench_features import copy_seconds, stored_tables


def test_stored_tables_are_the_tables_upstream_of_ml_dataset(built):
    db, folder, out = built
    assert out.returncode == 0
    stored = stored_tables(folder / "target" / "manifest.json")
    assert {
        "main.ml_dataset",
        "intermediate.int_price_observations",
        "intermediate.int_features__long_memory",
        "intermediate.int_features__extended",
        "intermediate.int_features__return_bounds",
    } <= set(stored)
    # views store nothing; the enrichment and the quality models are not upstream of ml_dataset
    assert not {
        "intermediate.int_listed_issues_pit",
        "staging.stg_jquants__daily_bars",
        "intermediate.int_enrichment__blocks",
        "quality.dq_bar_checks",
    } & set(stored)
    con = duckdb.connect(str(db), read_only=True)
    kinds = dict(
        con.sql("select table_schema || '.' || table_name, table_type from information_schema.tables").fetchall()
    )
    con.close()
    assert {kinds.get(t) for t in stored} == {"BASE TABLE"}


def test_copy_seconds_leaves_no_table_behind(built, tmp_path):
    db = tmp_path / "copy.duckdb"
    db.write_bytes(built[0].read_bytes())
    con = duckdb.connect(str(db))
    assert copy_seconds(con, "intermediate.int_trading_calendar") > 0
    assert con.sql("select count(*) from information_schema.tables where table_name = '_bench_copy'").fetchall() == [
        (0,)
    ]
    con.close()
