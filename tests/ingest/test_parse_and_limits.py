"""Response validation, the minute-window limiter, plan windows: small pure units."""

from __future__ import annotations

import asyncio
import time
from datetime import date

import orjson
import pytest

from ingest.config import Settings, plan_window
from ingest.parse import MalformedResponse, csv_to_table, dataset_page, json_page
from ingest.ratelimit import MinuteWindowLimiter
from ingest.schema import (
    EQUITIES_BARS_DAILY,
    EQUITIES_INVESTOR_TYPES,
    EQUITIES_MASTER,
    FINS_SUMMARY,
    INDICES_TOPIX,
    MARKETS_CALENDAR,
)

BAR = {
    "Date": "2024-01-05",
    "Code": "72030",
    "O": 1.0,
    "H": 2.0,
    "L": 1.0,
    "C": 2.0,
    "UL": "0",
    "LL": "0",
    "Vo": 100,
    "Va": 150.0,
    "AdjFactor": 1.0,
    "AdjO": 1.0,
    "AdjH": 2.0,
    "AdjL": 1.0,
    "AdjC": 2.0,
    "AdjVo": 100.0,
}


def rows_to_table(rows: list[dict], dataset):
    return dataset_page(dataset)(orjson.dumps({"data": rows}))[0]


def test_bars_are_typed_and_session_keys_may_be_absent():
    t = rows_to_table([BAR, {**BAR, "Code": "130A0", "C": None}], EQUITIES_BARS_DAILY)
    assert t.num_rows == 2 and t.schema == EQUITIES_BARS_DAILY.arrow_schema
    assert t.column("MO").null_count == 2 and t.column("C").null_count == 1


@pytest.mark.parametrize(
    "row, reason",
    [
        ({k: v for k, v in BAR.items() if k != "Code"}, "required field"),
        ({**BAR, "C": "2.0"}, "not a valid"),
        ({**BAR, "C": {"x": 1}}, "not a valid"),
        ({**BAR, "Code": None}, "required field"),
        ({**BAR, "Date": "05/01/2024"}, "wrong type"),
    ],
)
def test_malformed_rows_are_refused(row, reason):
    with pytest.raises(MalformedResponse, match=reason):
        rows_to_table([BAR, row], EQUITIES_BARS_DAILY)


MASTER = {"Date": "2024-01-04", "Code": "13010", "CoName": "極洋", "Mkt": "0111", "S33": "0050", "S17": "1"}
STATEMENT = {
    "DiscDate": "2024-02-09",
    "Code": "86970",
    "DiscNo": "20240209000001",
    "Sales": "100",
    "EPS": 12.5,
    "RetroRst": "false",
}
INVESTORS = {
    "PubDate": "2024-01-11",
    "StDate": "2024-01-04",
    "EnDate": "2024-01-05",
    "Section": "TSEPrime",
    "TotBal": 5,
}


@pytest.mark.parametrize(
    "dataset, row, field_name",
    [
        # booleans are not numbers
        (EQUITIES_BARS_DAILY, {**BAR, "O": True}, "O"),
        (EQUITIES_BARS_DAILY, {**BAR, "AdjFactor": False}, "AdjFactor"),
        (FINS_SUMMARY, {**STATEMENT, "Sales": True}, "Sales"),
        (EQUITIES_INVESTOR_TYPES, {**INVESTORS, "TotBal": True}, "TotBal"),
        (INDICES_TOPIX, {"Date": "2024-01-04", "O": "2500.1", "C": False}, "C"),
        # codes, market and sector codes, flags and dates are strings, never numbers
        (EQUITIES_BARS_DAILY, {**BAR, "Code": 13010}, "Code"),
        (EQUITIES_BARS_DAILY, {**BAR, "UL": 0}, "UL"),
        (EQUITIES_MASTER, {**MASTER, "Mkt": 111}, "Mkt"),
        (EQUITIES_MASTER, {**MASTER, "Code": 13010}, "Code"),
        (EQUITIES_MASTER, {**MASTER, "S33": 50}, "S33"),
        (MARKETS_CALENDAR, {"Date": "2024-01-04", "HolDiv": 1}, "HolDiv"),
        (FINS_SUMMARY, {**STATEMENT, "Code": 86970}, "Code"),
        (FINS_SUMMARY, {**STATEMENT, "DiscNo": 20240209000001}, "DiscNo"),
        (FINS_SUMMARY, {**STATEMENT, "RetroRst": False}, "RetroRst"),
        (EQUITIES_INVESTOR_TYPES, {**INVESTORS, "Section": 1}, "Section"),
        # a number where the API sends a number is never a string either
        (EQUITIES_BARS_DAILY, {**BAR, "Vo": "100"}, "Vo"),
    ],
)
def test_every_field_accepts_only_its_json_type(dataset, row, field_name):
    with pytest.raises(MalformedResponse, match=field_name):
        rows_to_table([row], dataset)


def test_strings_and_numbers_land_as_sent_where_the_api_allows_either():
    assert rows_to_table([MASTER], EQUITIES_MASTER).column("Mkt").to_pylist() == ["0111"]  # the leading zero kept
    t = rows_to_table([{**STATEMENT, "Sales": 100, "EPS": "12.5"}], FINS_SUMMARY)
    assert t.column("Sales").to_pylist() == [100.0] and t.column("EPS").to_pylist() == [12.5]


def test_statement_strings_become_numbers_dates_and_flags():
    row = {c: "" for c in FINS_SUMMARY.columns} | {
        "DiscDate": "2024-02-09",
        "Code": "86970",
        "DiscNo": "20240209000001",
        "Sales": "100529000000",
        "EPS": 12.5,
        "CurPerEn": "2023-12-31",
        "RetroRst": "false",
        "DiscTime": "",
    }
    t = rows_to_table([row], FINS_SUMMARY).to_pylist()[0]
    assert t["Sales"] == 100529000000.0 and t["EPS"] == 12.5 and t["OP"] is None
    assert (
        t["CurPerEn"] == date(2023, 12, 31)
        and t["NxtFYSt"] is None
        and t["RetroRst"] is False
        and t["DiscTime"] is None
    )
    with pytest.raises(MalformedResponse, match="wrong type"):
        rows_to_table([{**row, "Sales": "1,000"}], FINS_SUMMARY)
    with pytest.raises(MalformedResponse, match="true"):
        rows_to_table([{**row, "RetroRst": "yes"}], FINS_SUMMARY)


def test_investor_type_values_accept_numbers_or_strings():
    row = {c: 1 for c in EQUITIES_INVESTOR_TYPES.columns} | {
        "PubDate": "2024-01-11",
        "StDate": "2024-01-04",
        "EnDate": "2024-01-05",
        "Section": "TSEPrime",
        "TotBal": "-5",
    }
    assert rows_to_table([row], EQUITIES_INVESTOR_TYPES).column("TotBal").to_pylist() == [-5.0]


def test_envelope_errors():
    for body in (b"not json", b"[1, 2]", b'{"data": "x"}', b'{"data": [], "pagination_key": 3}'):
        with pytest.raises(MalformedResponse):
            json_page(body)
    assert json_page(b'{"data": [], "pagination_key": "k"}') == ([], "k")


def test_bulk_csv_matches_json_typing():
    csv = b"Date,HolDiv\n2024-01-04,2\n2024-01-05,1\n"
    assert csv_to_table(csv, MARKETS_CALENDAR).to_pylist() == [
        {"Date": date(2024, 1, 4), "HolDiv": "2"},
        {"Date": date(2024, 1, 5), "HolDiv": "1"},
    ]
    with pytest.raises(MalformedResponse, match="lacks column"):
        csv_to_table(b"Date\n2024-01-04\n", MARKETS_CALENDAR)


def test_minute_window_limiter_never_exceeds_its_budget():
    async def burst() -> list[float]:
        limiter = MinuteWindowLimiter(3, window=0.3)
        stamps = []
        for _ in range(7):
            await limiter.acquire()
            stamps.append(time.monotonic())
        return stamps

    stamps = asyncio.run(burst())
    for i in range(3, 7):  # any 4 consecutive requests span at least one window
        assert stamps[i] - stamps[i - 3] >= 0.29


def test_plan_windows_and_limits():
    today = date(2026, 11, 24)
    assert plan_window("free", today).end == date(2026, 9, 1) and plan_window("free", today).start == date(2024, 9, 1)
    assert plan_window("light", today).start == date(2021, 11, 24)
    s = Settings.from_env({"JQUANTS_PLAN": "standard"})
    assert s.requests_per_minute("/equities/bars/daily") == 120 and s.requests_per_minute("/fins/summary") == 60
    assert Settings.from_env({"JQUANTS_RATE_LIMIT": "0"}).requests_per_minute("/x") is None
    assert str(Settings.from_env({}).duckdb_path) == "data/gogooku3.duckdb"


def test_bars_pages_decode_natively_with_the_same_rules():
    parse = dataset_page(EQUITIES_BARS_DAILY)
    table, key = parse(
        orjson.dumps({"data": [BAR, {**BAR, "Code": "130A0", "C": None, "UL": ""}], "pagination_key": "k2"})
    )
    assert key == "k2" and table.schema == EQUITIES_BARS_DAILY.arrow_schema and table.num_rows == 2
    assert table.column("UL").to_pylist() == ["0", None] and table.column("Date").to_pylist()[0] == date(2024, 1, 5)
    empty, key = parse(b'{"data": []}')
    assert empty.num_rows == 0 and key is None
    for bad in (
        b"nope",
        b'{"data": [1]}',
        b'{"message": "x"}',
        orjson.dumps({"data": [{**BAR, "C": "abc"}]}),
        orjson.dumps({"data": [{**BAR, "Code": None}]}),
        orjson.dumps({"data": [{**BAR, "Date": "2024/01/05"}]}),
        b'{"data": [{"Date": "2024-01-05", "Co',
    ):
        with pytest.raises(MalformedResponse):
            parse(bad)
