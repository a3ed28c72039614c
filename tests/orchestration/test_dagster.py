"""The Dagster code location (the `orchestrate` extra): the whole graph materializes in-process on
a small fake market — the loader's assets load a day, dbt builds, the dbt tests run as asset
checks — and a planted data-quality error fails its check and the run; the schedule asks for a
trading day's partition and skips other days; the UI draws the graph; the plain commands never
import Dagster."""

import os
import subprocess
import sys
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

dg = pytest.importorskip("dagster")

from gogooku3.fakeapi.market import SyntheticMarket
from gogooku3.fakeapi.server import FakeJQuants, ServerConfig
from tests.conftest import FAST_RETRY, SMALL_MARKET, ingest
from tests.dbt.runner import ROOT, dbt
from tests.servers import free_port, wait_until_serving

DAY = date(2024, 6, 28)  # the small market's last day: the day the schedule's run loads


def environment(monkeypatch, api, db, tmp_path) -> None:
    for name, value in {
        "JQUANTS_API_BASE": api.base_url,
        "JQUANTS_API_KEY": "k",
        "JQUANTS_PLAN": "premium",
        "JQUANTS_RATE_LIMIT": "0",
        "GOGOOKU3_DUCKDB": str(db),
        "GOGOOKU3_PUBLISHED": str(tmp_path / "published" / db.name),
    }.items():
        monkeypatch.setenv(name, value)


@pytest.mark.slow
def test_the_graph_materializes_a_day_and_a_planted_error_fails_its_check(tmp_path, monkeypatch):
    from gogooku3.orchestration.definitions import defs

    market = SyntheticMarket(replace(SMALL_MARKET, quality_problems=("ohlc_violation",)))
    db = tmp_path / "warehouse.duckdb"
    with FakeJQuants(market, ServerConfig(api_keys={"k": "premium"})) as api:
        # the backfill up to the day before, then the schedule's run for the day
        assert ingest(api, db, key="k", start=SMALL_MARKET.start, end=date(2024, 6, 27)).ok
        environment(monkeypatch, api, db, tmp_path)
        graph = defs.resolve_asset_graph()
        result = dg.materialize(
            [*defs.assets],
            partition_key=DAY.isoformat(),
            resources=defs.resources,
            instance=dg.DagsterInstance.ephemeral(),
            raise_on_error=False,
        )
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert {"raw/equities_bars_daily", "raw/markets_calendar", "ml_dataset", "ml_dataset_enriched"} <= materialized
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute('select count(*) from raw.equities_bars_daily where "Date" = ?', [DAY]).fetchone()[0] > 0
    assert con.execute("select max(date) from main.ml_dataset").fetchone()[0] == DAY
    con.close()
    bars = next(
        e
        for e in result.get_asset_materialization_events()
        if e.asset_key.to_user_string() == "raw/equities_bars_daily"
    )
    assert bars.materialization.metadata["rows"].value > 0 and bars.partition == DAY.isoformat()

    checks = {c.asset_check_key.to_user_string(): c for c in result.get_asset_check_evaluations()}
    assert 100 <= len(checks) <= len(graph.asset_check_keys)
    planted = checks["quality/dq_daily_report:dq_check_passes_ohlc_violation"]
    assert not planted.passed and planted.severity == dg.AssetCheckSeverity.ERROR
    # a warn-level dbt test that flags the same bar shows as a warning, not an error
    warned = checks["staging/stg_jquants__daily_bars:stg_daily_bars_ohlc_consistent"]
    assert not warned.passed and warned.severity == dg.AssetCheckSeverity.WARN
    assert sum(c.passed for c in checks.values()) > 90
    # the error-level check fails the run, so the analysts' copy is not published
    assert not result.success and "analysts_copy" not in materialized


def test_the_schedule_runs_trading_days_only(tmp_path, monkeypatch, small_market):
    from gogooku3.orchestration.definitions import after_the_close

    db = tmp_path / "warehouse.duckdb"
    with FakeJQuants(small_market, ServerConfig(api_keys={"k": "premium"})) as api:
        assert ingest(api, db, key="k", start=date(2024, 4, 1), end=date(2024, 5, 10), datasets=("calendar", "bars")).ok
        environment(monkeypatch, api, db, tmp_path)
    # the calendar's staging view, where the warehouse says which days trade
    assert dbt(["run", "--select", "stg_jquants__trading_calendar"], db, tmp_path).returncode == 0
    tokyo = ZoneInfo("Asia/Tokyo")

    def evaluate(day: date):
        moment = datetime(day.year, day.month, day.day, 16, 45, tzinfo=tokyo)
        return after_the_close(dg.build_schedule_context(scheduled_execution_time=moment))

    run = evaluate(date(2024, 5, 7))  # a Tuesday after Golden Week
    assert isinstance(run, dg.RunRequest) and run.partition_key == "2024-05-07"
    assert "J-Quants calendar" in run.tags["trading_day_rule"]
    holiday = evaluate(date(2024, 5, 6))  # a Monday, Children's Day observed: closed
    assert isinstance(holiday, dg.SkipReason) and "not a trading day" in holiday.skip_message
    weekend = evaluate(date(2024, 5, 11))  # past the calendar loaded: the weekday rule, a Saturday
    assert isinstance(weekend, dg.SkipReason) and "weekday rule" in weekend.skip_message


def test_the_plain_commands_do_not_import_dagster():
    code = "import sys, gogooku3.cli, gogooku3.warehouse.export; sys.exit('dagster' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False).returncode == 0


@pytest.mark.slow
def test_the_dagster_ui_draws_ml_dataset_and_the_raw_assets(built, tmp_path):
    """dagster-webserver on the code location, opened in headless Chromium (as the docs-site test
    does): ml_dataset's upstream lineage shows the raw assets the loader writes. Saves a screenshot
    under tests/artifacts/."""
    playwright = pytest.importorskip("playwright.sync_api")
    from tests.docs.test_docs_site import ARTIFACTS, CHROMIUM, FLAGS

    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    db, _, _ = built
    port = free_port()
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path), "GOGOOKU3_DUCKDB": str(db)}
    web = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("dagster-webserver")),
            "-m",
            "gogooku3.orchestration.definitions",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_serving(port, web, 180, "dagster-webserver")
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.goto(f"http://127.0.0.1:{port}/assets/ml_dataset?view=lineage&lineageScope=upstream&lineageDepth=12")
            page.get_by_text("markets_calendar", exact=True).first.wait_for(timeout=90_000)
            skip = page.get_by_role("button", name="Skip")  # the first-visit newsletter dialog
            if skip.count():
                skip.click()
            for label in ("ml_dataset", "markets_calendar", "equities_master", "raw", "intermediate", "marts"):
                assert page.get_by_text(label, exact=True).count() >= 1, label
            page.wait_for_timeout(1_000)
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "dagster_ml_dataset_lineage.png"))
            browser.close()
    finally:
        web.terminate()
        web.wait(timeout=30)
    assert (ARTIFACTS / "dagster_ml_dataset_lineage.png").stat().st_size > 10_000


def test_a_day_the_api_fails_fails_its_asset_and_says_why(tmp_path, monkeypatch, small_market):
    from gogooku3.fakeapi.server import Fault
    from gogooku3.orchestration.definitions import defs, raw_key

    db = tmp_path / "warehouse.duckdb"
    broken = ServerConfig(api_keys={"k": "premium"}, faults=[Fault("500", "/equities/bars/daily", None)])
    with FakeJQuants(small_market, broken) as api:
        environment(monkeypatch, api, db, tmp_path)
        monkeypatch.setattr("gogooku3.orchestration.definitions.RETRY", FAST_RETRY)
        bars = next(a for a in defs.assets if raw_key("bars") in a.keys)
        result = dg.materialize(
            [bars], partition_key=DAY.isoformat(), instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
        )
    assert not result.success
    failure = result.get_step_failure_events()[0].step_failure_data.user_failure_data
    assert failure.description.startswith("bars: 1 failed") and "500" in failure.description
    assert failure.metadata["rows"].value == 0 and failure.metadata["units"].value == 0
