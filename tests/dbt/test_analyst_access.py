"""Analysts and builds coexist: an analyst holds a read-only connection to the published snapshot
while new data is ingested and `gogooku3 build` (dbt build + publish) runs; both succeed, and the
analyst sees the new data on reconnect."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb

from gogooku3.fakeapi.server import FakeJQuants, ServerConfig
from gogooku3.warehouse.publish import PUBLISHED_STORAGE_VERSION, publish_snapshot, published_path
from tests.conftest import ingest
from tests.dbt.runner import ROOT, WAREHOUSE, dbt


def test_analyst_keeps_reading_while_a_build_publishes(small_market, tmp_path):
    working = tmp_path / WAREHOUSE
    with FakeJQuants(small_market, ServerConfig(api_keys={"k": "premium"})) as api:
        assert ingest(api, working, key="k", start=date(2024, 1, 4), end=date(2024, 3, 29)).ok
        assert dbt(["build", "--exclude", "macro_checks"], working, tmp_path).returncode == 0
        snapshot, _ = publish_snapshot(working)
        assert snapshot == tmp_path / "published" / WAREHOUSE

        analyst = duckdb.connect(str(snapshot), read_only=True)
        before = analyst.sql("select count(*), max(date) from analytics.daily_features").fetchall()[0]
        # the analyst's session stays open through a new load and a full build of the working file
        assert ingest(api, working, key="k", start=date(2024, 4, 1), end=date(2024, 4, 30)).ok
        env = {**os.environ, "GOGOOKU3_DUCKDB": str(working), "DBT_TARGET_PATH": str(tmp_path / "target2")}
        build = subprocess.run(
            [sys.executable, "-m", "gogooku3", "build", "--", "--exclude", "macro_checks"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
        assert "published" in build.stderr
        # still the old snapshot on the open connection …
        assert analyst.sql("select count(*), max(date) from analytics.daily_features").fetchall()[0] == before
        analyst.close()
    # … and the new data after reconnecting
    analyst = duckdb.connect(str(snapshot), read_only=True)
    after = analyst.sql("select count(*), max(date) from analytics.daily_features").fetchall()[0]
    analyst.close()
    assert after[0] > before[0] and after[1] == date(2024, 4, 30) > before[1]
    # the incremental build left no dbt temporary table in either file
    for path in (working, snapshot):
        con = duckdb.connect(str(path), read_only=True)
        assert con.sql("select table_name from duckdb_tables() where table_name like '%dbt_tmp%'").fetchall() == []
        con.close()


def test_publish_leaves_dbt_temporary_tables_out(tmp_path, monkeypatch):
    monkeypatch.delenv("GOGOOKU3_PUBLISHED", raising=False)
    working = tmp_path / "w.duckdb"
    con = duckdb.connect(str(working))
    con.execute("create schema intermediate")
    con.execute("create table main.ml_dataset as select 1 as x")
    con.execute("create table main.int_features__extended__dbt_tmp20261207 as select 1 as x")
    con.execute("create table intermediate.some_model__dbt_tmp as select 1 as x")
    con.close()
    snapshot, _ = publish_snapshot(working)
    con = duckdb.connect(str(snapshot), read_only=True)
    assert con.sql("select schema_name, table_name from duckdb_tables() order by all").fetchall() == [
        ("main", "ml_dataset")
    ]
    con.close()


def test_published_path_follows_the_working_file(tmp_path, monkeypatch):
    monkeypatch.delenv("GOGOOKU3_PUBLISHED", raising=False)
    assert published_path(tmp_path / "w.duckdb") == tmp_path / "published" / "w.duckdb"
    monkeypatch.setenv("GOGOOKU3_PUBLISHED", str(tmp_path / "elsewhere" / "w.duckdb"))
    assert published_path(tmp_path / "w.duckdb") == tmp_path / "elsewhere" / "w.duckdb"


def test_the_published_copy_opens_in_an_older_duckdb_client(built, tmp_path):
    """The DuckDB CLI from PyPI (duckdb-cli, a 1.x release: older than the DuckDB that builds the
    warehouse, whose newer storage format it cannot read) opens the published copy and reads the
    analysts' views, the enriched mart and the column docs."""
    db, _, _ = built
    cli = Path(sys.executable).parent / "duckdb"
    version = subprocess.run([cli, "--version"], capture_output=True, text=True, check=True).stdout
    assert version.startswith("v1."), version
    snapshot, _ = publish_snapshot(db, tmp_path / "published" / db.name)
    sql = (
        "select count(*) from analytics.daily_features; "
        "select count(*) from main.ml_dataset_enriched; "
        "select count(comment) from duckdb_columns() where schema_name = 'main' and table_name = 'ml_dataset';"
    )
    out = subprocess.run(
        [cli, "-readonly", "-csv", "-noheader", snapshot, "-c", sql], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    daily, enriched, comments = (int(line) for line in out.stdout.split())
    assert daily == enriched > 0 and comments == 90
    assert PUBLISHED_STORAGE_VERSION == "v1.0.0"  # what the README promises: DuckDB 1.0 and later
