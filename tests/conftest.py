"""Shared fixtures: a small synthetic market served over real HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import duckdb
import pytest

from gogooku3.fakeapi.market import MarketConfig, SyntheticMarket
from gogooku3.fakeapi.server import FakeJQuants, ServerConfig
from ingest.client import RetryPolicy
from ingest.config import Settings
from ingest.loader import IngestOptions, IngestReport, Loader
from ingest.store import Warehouse

SMALL_MARKET = MarketConfig(seed=11, n_codes=40, start=date(2024, 1, 4), end=date(2024, 6, 28))
FAST_RETRY = RetryPolicy(attempts=3, backoff=0.01, backoff_cap=0.05, pause_on_429=0.2, lockout_pause=0.4, timeout=10)


@pytest.fixture(scope="session")
def small_market() -> SyntheticMarket:
    return SyntheticMarket(SMALL_MARKET)


@pytest.fixture()
def fake_api(small_market: SyntheticMarket):
    """A fresh server (own faults, counters, page size) over the shared market."""
    small_market.as_of = small_market.config.end
    api = FakeJQuants(
        small_market, ServerConfig(api_keys={"test-key": "premium", "light-key": "light", "free-key": "free"})
    )
    with api:
        yield api
    small_market.as_of = small_market.config.end


def settings_for(api: FakeJQuants, db: Path, plan: str = "premium", key: str = "test-key") -> Settings:
    return Settings(api_key=key, api_base=api.base_url, plan=plan, rate_limit=0, duckdb_path=db)


def ingest(api: FakeJQuants, db: Path, plan: str = "premium", key: str = "test-key", **options) -> IngestReport:
    options.setdefault("retry", FAST_RETRY)
    options.setdefault("today", SMALL_MARKET.end)
    options.setdefault("concurrency", 8)
    wh = Warehouse(db)
    try:
        return asyncio.run(Loader(settings_for(api, db, plan, key), IngestOptions(**options), wh).run())
    finally:
        wh.close()


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


RAW_TABLES = (
    "equities_bars_daily",
    "equities_master",
    "markets_calendar",
    "indices_topix",
    "equities_investor_types",
    "fins_summary",
)


def table_contents(db: Path, table: str) -> list[tuple]:
    """Every row of a raw table, sorted: for comparing two warehouses."""
    return query(db, f"select * from raw.{table} order by all")


@pytest.fixture(scope="session")
def built(small_market, tmp_path_factory):
    """A warehouse ingested from the fake server (40 codes, half a year) and built by `dbt build`:
    (db path, its folder holding dbt's target/, the `dbt build` process result)."""
    from tests.dbt.runner import WAREHOUSE, dbt

    tmp = tmp_path_factory.mktemp("built")
    db = tmp / WAREHOUSE
    with FakeJQuants(small_market, ServerConfig(api_keys={"k": "premium"})) as api:
        assert ingest(api, db, key="k", start=date(2024, 1, 4), end=date(2024, 6, 28)).ok
    return db, tmp, dbt(["build"], db, tmp)
