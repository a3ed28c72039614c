"""The loader against the fake server over real HTTP: paging, errors, idempotency, increments."""

from __future__ import annotations

import time
from datetime import date

import polars as pl
import pytest

from gogooku3.fakeapi.server import Fault
from ingest.client import AuthError
from tests.conftest import RAW_TABLES, ingest, query, table_contents

JAN = {"start": date(2024, 1, 4), "end": date(2024, 1, 31)}


def test_full_load_lands_every_dataset_typed(fake_api, tmp_path):
    db = tmp_path / "w.duckdb"
    report = ingest(fake_api, db, **JAN)
    assert report.ok, report.failures
    m = fake_api.market
    sessions = [d for d in m.sessions if JAN["start"] <= d <= JAN["end"]]
    expected_bars = sum(len(m.listed_on(m.session_index[d])) for d in sessions)
    assert query(db, "select count(*) from raw.equities_bars_daily")[0][0] == expected_bars
    assert query(db, "select count(distinct Date) from raw.equities_bars_daily")[0][0] == len(sessions)
    types = dict(
        query(
            db, "select column_name, data_type from information_schema.columns where table_name = 'equities_bars_daily'"
        )
    )
    assert (
        types["Date"] == "DATE"
        and types["Code"] == "VARCHAR"
        and types["AdjC"] == "DOUBLE"
        and types["UL"] == "VARCHAR"
    )
    fin_types = dict(
        query(db, "select column_name, data_type from information_schema.columns where table_name = 'fins_summary'")
    )
    assert fin_types["Sales"] == "DOUBLE" and fin_types["CurPerEn"] == "DATE" and fin_types["RetroRst"] == "BOOLEAN"
    # the premium key gets the session fields, and they are consistent with the day
    assert query(db, "select count(*) from raw.equities_bars_daily where MO is not null and MO <> O")[0][0] == 0
    assert query(db, "select count(*) from raw.markets_calendar")[0][0] > 0
    assert query(db, "select count(*) from raw.indices_topix")[0][0] == len(sessions)
    assert query(db, "select count(*) from raw.equities_master")[0][0] > 0
    statuses = query(
        db, "select status, count(*) from raw._loads where dataset <> '_run' and unit <> '_plan' group by 1"
    )
    assert statuses == [("ok", report.units["ok"])]


def test_pagination_follows_every_page(fake_api, tmp_path):
    fake_api.state.config.page_size = 7  # 40 codes a day → 6 pages per date
    db = tmp_path / "w.duckdb"
    report = ingest(fake_api, db, datasets=("calendar", "bars"), start=date(2024, 2, 1), end=date(2024, 2, 9))
    assert report.ok
    min_pages, total_pages, days = query(
        db, "select min(pages), sum(pages), count(*) from raw._loads where dataset = 'bars' and unit <> '_plan'"
    )[0]
    assert min_pages >= 5 and days == 7
    continued = [
        p for (_, path, p, _) in fake_api.state.log if path == "/equities/bars/daily" and "pagination_key" in p
    ]
    assert len(continued) == total_pages - days
    # every code of every day arrived exactly once
    direct = sum(
        fake_api.market.bars(day=d).height
        for d in fake_api.market.sessions
        if date(2024, 2, 1) <= d <= date(2024, 2, 9)
    )
    assert query(db, "select count(*), count(distinct (Date, Code)) from raw.equities_bars_daily")[0] == (
        direct,
        direct,
    )


def test_bad_key_fails_fast_with_a_hint(fake_api, tmp_path):
    with pytest.raises(AuthError, match="JQUANTS_API_KEY"):
        ingest(fake_api, tmp_path / "w.duckdb", key="wrong", **JAN)
    assert fake_api.state.statuses[403] <= 2  # no retries of a 403


def test_plan_without_endpoint_is_skipped_with_a_note(fake_api, tmp_path):
    db = tmp_path / "w.duckdb"
    report = ingest(
        fake_api,
        db,
        plan="free",
        key="free-key",
        start=date(2024, 1, 4),
        end=date(2024, 1, 12),
        today=date(2024, 4, 10),
    )
    assert report.ok
    assert any("investor_types" in n and "light" in n for n in report.notes)
    assert query(db, "select count(*) from raw.indices_topix")[0][0] == 0
    assert fake_api.state.requests["/indices/bars/daily/topix"] == 0


def test_requests_outside_the_plan_window_are_not_sent(fake_api, tmp_path):
    db = tmp_path / "w.duckdb"
    # free plan on 2024-06-28: data ends 12 weeks earlier (2024-04-05)
    report = ingest(
        fake_api,
        db,
        plan="free",
        key="free-key",
        datasets=("calendar", "bars"),
        start=date(2024, 3, 25),
        end=date(2024, 6, 28),
    )
    assert any("2024-04-05" in n for n in report.notes)
    asked = {p.get("date") for (_, path, p, _) in fake_api.state.log if path == "/equities/bars/daily"}
    assert max(asked) <= "2024-04-05"


def test_429_pauses_the_whole_client_then_resumes(fake_api, tmp_path):
    fake_api.state.add_fault(Fault("429", "/equities/bars/daily", times=1))
    db = tmp_path / "w.duckdb"
    report = ingest(fake_api, db, datasets=("calendar", "bars"), start=date(2024, 2, 1), end=date(2024, 2, 29))
    assert report.ok
    log = list(fake_api.state.log)
    t429 = next(t for (t, _, _, s) in log if s == 429)
    during = [t for (t, _, _, s) in log if t429 < t < t429 + 0.19]
    # FAST_RETRY.pause_on_429 = 0.2 s: only requests already in flight (≤ concurrency − 1) arrive meanwhile
    assert len(during) <= 7
    assert any(t >= t429 + 0.19 for (t, _, _, s) in log)
    feb = [d for d in fake_api.market.sessions if d.month == 2]
    assert query(db, "select count(distinct Date) from raw.equities_bars_daily")[0][0] == len(feb) == 19


def test_429_honours_retry_after(fake_api, tmp_path):
    from dataclasses import replace

    from tests.conftest import FAST_RETRY

    fake_api.state.add_fault(Fault("429", "/equities/bars/daily", times=1, retry_after=0.6))
    started = time.monotonic()
    report = ingest(
        fake_api,
        tmp_path / "w.duckdb",
        datasets=("calendar", "bars"),
        start=date(2024, 2, 1),
        end=date(2024, 2, 2),
        retry=replace(FAST_RETRY, pause_on_429=60),
        concurrency=1,
    )
    assert report.ok
    log = list(fake_api.state.log)
    t429 = next(t for (t, _, _, s) in log if s == 429)
    assert min(t for (t, path, _, s) in log if t > t429 and path == "/equities/bars/daily") - t429 >= 0.59
    assert time.monotonic() - started < 30  # the 60 s default was not used


@pytest.mark.parametrize("status", ["500", "502", "503", "drop"])
def test_server_errors_are_retried(fake_api, tmp_path, status):
    fake_api.state.add_fault(Fault(status, "/equities/bars/daily", times=2))
    db = tmp_path / "w.duckdb"
    report = ingest(fake_api, db, datasets=("calendar", "bars"), start=date(2024, 2, 1), end=date(2024, 2, 9))
    assert report.ok, report.failures
    assert query(db, "select count(distinct Date) from raw.equities_bars_daily")[0][0] == 7


@pytest.mark.parametrize("kind", ["bad_json", "truncate", "missing_field", "wrong_type"])
def test_malformed_responses_are_recorded_and_never_land(fake_api, tmp_path, kind):
    # page 2 of 2024-02-07 is always broken: page 1 must not land either
    fake_api.state.config.page_size = 25
    fake_api.state.add_fault(
        Fault(kind, "/equities/bars/daily", times=None, params={"date": "2024-02-07", "pagination_key": "*"})
    )
    db = tmp_path / "w.duckdb"
    report = ingest(fake_api, db, datasets=("calendar", "bars"), start=date(2024, 2, 1), end=date(2024, 2, 9))
    assert not report.ok
    assert [label for label, _ in report.failures] == ["bars 2024-02-07"]
    assert query(db, "select count(*) from raw.equities_bars_daily where Date = '2024-02-07'")[0][0] == 0
    assert query(db, "select count(distinct Date) from raw.equities_bars_daily")[0][0] == 6
    failed = query(db, "select unit, error from raw._loads where status = 'failed'")
    assert len(failed) == 1 and failed[0][0] == "2024-02-07" and "malformed" in failed[0][1]
    # the rerun retries exactly the failed day
    fake_api.state.config.faults.clear()
    before = fake_api.state.requests["/equities/bars/daily"]
    report = ingest(fake_api, db, datasets=("calendar", "bars"), start=date(2024, 2, 1), end=date(2024, 2, 9))
    assert report.ok and report.rows["bars"] == fake_api.market.bars(day=date(2024, 2, 7)).height
    assert fake_api.state.requests["/equities/bars/daily"] - before == 2  # two pages of one day


def test_rerunning_the_same_range_adds_nothing(fake_api, tmp_path):
    db = tmp_path / "w.duckdb"
    ingest(fake_api, db, **JAN)
    first = {t: table_contents(db, t) for t in RAW_TABLES}
    bars_requests = fake_api.state.requests["/equities/bars/daily"]
    report = ingest(fake_api, db, **JAN)
    assert report.ok and report.rows["bars"] == 0
    assert fake_api.state.requests["/equities/bars/daily"] == bars_requests
    assert {t: table_contents(db, t) for t in RAW_TABLES} == first
    # --refresh fetches again and still changes nothing
    ingest(fake_api, db, refresh=True, **JAN)
    assert {t: table_contents(db, t) for t in RAW_TABLES} == first


def test_incremental_run_loads_only_new_days(fake_api, tmp_path):
    market = fake_api.market
    db, reference = tmp_path / "inc.duckdb", tmp_path / "ref.duckdb"
    market.as_of = date(2024, 3, 15)
    ingest(fake_api, db, start=date(2024, 2, 1), end=date(2024, 3, 15), today=date(2024, 3, 15))
    market.as_of = date(2024, 3, 29)
    fake_api.state.log.clear()
    report = ingest(fake_api, db, end=date(2024, 3, 29), today=date(2024, 3, 29))  # no --from: resume
    assert report.ok
    asked = sorted({p["date"] for (_, path, p, _) in fake_api.state.log if path == "/equities/bars/daily"})
    assert asked == [d.isoformat() for d in market.sessions if date(2024, 3, 15) < d <= date(2024, 3, 29)]
    ingest(fake_api, reference, start=date(2024, 2, 1), end=date(2024, 3, 29), today=date(2024, 3, 29))
    for table in ("equities_master", "indices_topix", "equities_investor_types", "fins_summary", "markets_calendar"):
        assert table_contents(db, table) == table_contents(reference, table), table
    # raw prices are identical; only the API's back-adjusted history may differ across a split
    raw_cols = "Date, Code, O, H, L, C, Vo, Va, AdjFactor"
    assert query(db, f"select {raw_cols} from raw.equities_bars_daily order by all") == query(
        reference, f"select {raw_cols} from raw.equities_bars_daily order by all"
    )


def test_market_filter_restricts_bars_and_statements(fake_api, tmp_path):
    db = tmp_path / "w.duckdb"
    report = ingest(fake_api, db, markets=("0113",), **JAN)
    assert report.ok
    growth = {c for (c,) in query(db, "select distinct Code from raw.equities_master where Mkt = '0113'")}
    bar_codes = {c for (c,) in query(db, "select distinct Code from raw.equities_bars_daily")}
    fin_codes = {c for (c,) in query(db, "select distinct Code from raw.fins_summary")}
    assert growth and bar_codes and bar_codes <= growth and fin_codes <= growth
    everyone = {c for (c,) in query(db, "select distinct Code from raw.equities_master")}
    assert everyone > growth  # the listing master itself stays complete
    # a later whole-market run fills in the rest instead of skipping the days
    ingest(fake_api, db, **JAN)
    assert {c for (c,) in query(db, "select distinct Code from raw.equities_bars_daily")} > growth


def test_codes_mode_fetches_one_query_per_code(fake_api, tmp_path):
    db = tmp_path / "w.duckdb"
    m = fake_api.market
    codes = tuple(str(c) for c in m.codes[(m.list_idx == 0) & (m.delist_idx == len(m.sessions) - 1)][:3])
    report = ingest(fake_api, db, codes=codes, datasets=("calendar", "bars", "fins"), **JAN)
    assert report.ok
    assert {c for (c,) in query(db, "select distinct Code from raw.equities_bars_daily")} == set(codes)
    assert fake_api.state.requests["/equities/bars/daily"] == 3


def test_bulk_backfill_lands_the_same_rows_as_the_json_endpoints(fake_api, tmp_path):
    json_db, bulk_db = tmp_path / "json.duckdb", tmp_path / "bulk.duckdb"
    span = {"start": date(2024, 1, 15), "end": date(2024, 3, 20), "datasets": ("calendar", "bars", "fins")}
    assert ingest(fake_api, json_db, **span).ok
    before = fake_api.state.requests["/equities/bars/daily"]
    report = ingest(fake_api, bulk_db, bulk=True, **span)
    assert report.ok, report.failures
    assert fake_api.state.requests["/equities/bars/daily"] == before  # no JSON bar requests at all
    assert fake_api.state.requests["/bulk/get"] == 6  # 3 months × 2 datasets
    for table in ("equities_bars_daily", "fins_summary"):
        assert table_contents(json_db, table) == table_contents(bulk_db, table), table
    # and a JSON run afterwards finds nothing left to fetch
    report = ingest(fake_api, bulk_db, **span)
    assert report.rows["bars"] == 0


def test_a_plan_403_mid_run_stops_cleanly_keeping_what_was_committed(fake_api, tmp_path):
    # the loader believes it has Premium; the key is Free, so TOPIX answers 403 while bars load
    db = tmp_path / "w.duckdb"
    with pytest.raises(AuthError, match="plan"):
        ingest(
            fake_api,
            db,
            key="free-key",
            plan="premium",
            datasets=("calendar", "bars", "topix"),
            start=date(2024, 1, 4),
            end=date(2024, 3, 29),
        )
    statuses = dict(
        query(db, "select status, count(*) from raw._loads where dataset <> '_run' and unit <> '_plan' group by 1")
    )
    assert statuses.get("failed", 0) >= 1  # the refused unit is on record
    # every committed day is complete, and the file is consistent and writable again
    per_day = query(db, "select Date, count(*) from raw.equities_bars_daily group by 1")
    assert all(n == fake_api.market.bars(day=d).height for d, n in per_day)
    assert ingest(fake_api, db, datasets=("calendar", "bars"), start=date(2024, 1, 4), end=date(2024, 1, 31)).ok


def test_a_statement_dated_on_a_weekend_is_loaded(fake_api, tmp_path, monkeypatch):
    # TDnet is shut at weekends, but a statement dated on one must not be lost: statements are asked
    # for every calendar day. Plant one on a Saturday in the fake market.
    market = fake_api.market
    saturday = date(2024, 2, 3)
    weekday = market.fins_frame.filter(market.fins_frame["DiscDate"] == "2024-02-05").head(1)
    planted = weekday.with_columns(DiscDate=pl.lit(saturday.isoformat()), DiscNo=pl.lit("20240203000001"))
    monkeypatch.setitem(market._fins_by_day, saturday.isoformat(), planted)
    db = tmp_path / "w.duckdb"
    assert ingest(fake_api, db, datasets=("calendar", "fins"), start=date(2024, 2, 1), end=date(2024, 2, 9)).ok
    asked = sorted({p["date"] for (_, path, p, _) in fake_api.state.log if path == "/fins/summary"})
    assert asked == [f"2024-02-0{d}" for d in range(1, 10)]  # weekends included
    assert query(db, "select DiscNo from raw.fins_summary where DiscDate = ?", [saturday]) == [("20240203000001",)]
