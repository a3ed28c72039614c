"""The fake server behaves like J-Quants v2: checked with raw HTTP and with the official client."""

from __future__ import annotations

import gzip
import json
import urllib.error
import urllib.request
from datetime import date

import numpy as np
import pytest

from gogooku3.fakeapi.market import OUTAGE, MarketConfig, SyntheticMarket
from gogooku3.fakeapi.server import BAD_KEY, REQUIRES_DATE_OR_CODE, FakeJQuants, Fault
from ingest.schema import EQUITIES_BARS_DAILY, EQUITIES_INVESTOR_TYPES, EQUITIES_MASTER, FINS_SUMMARY


def get(api: FakeJQuants, path: str, key: str | None = "test-key", gzip_ok: bool = False) -> tuple[int, dict, dict]:
    req = urllib.request.Request(api.base_url + path)
    if key is not None:
        req.add_header("x-api-key", key)
    if gzip_ok:
        req.add_header("Accept-Encoding", "gzip")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            body, status, headers = resp.read(), resp.status, dict(resp.headers)
    except urllib.error.HTTPError as err:
        body, status, headers = err.read(), err.code, dict(err.headers)
    if headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return status, json.loads(body) if body else {}, headers


def test_api_key_is_required(fake_api):
    for key in (None, "nope"):
        status, body, _ = get(fake_api, "/equities/master", key=key)
        assert (status, body) == (403, {"message": BAD_KEY})


def test_retired_v1_paths_and_unknown_paths_answer_403(fake_api):
    assert get(fake_api, "/listed/info")[0] == 403
    req = urllib.request.Request(fake_api.base_url.replace("/v2", "/v1") + "/prices/daily_quotes?date=2024-01-05")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req)
    assert err.value.code == 403


def test_parameter_errors_are_400_with_a_message(fake_api):
    assert get(fake_api, "/equities/bars/daily")[:2] == (400, {"message": REQUIRES_DATE_OR_CODE})
    assert get(fake_api, "/equities/bars/daily?date=20240230")[0] == 400  # not a real date
    status, body, _ = get(fake_api, "/indices/bars/daily/topix?from=2024-02-01&to=2024-01-01")
    assert status == 400 and "older" in body["message"]


def test_plan_limits_endpoints(fake_api):
    assert get(fake_api, "/indices/bars/daily/topix", key="free-key")[0] == 403
    assert get(fake_api, "/indices/bars/daily/topix", key="light-key")[0] == 200


def test_session_fields_only_for_premium(fake_api):
    _, premium, _ = get(fake_api, "/equities/bars/daily?date=2024-02-01")
    _, light, _ = get(fake_api, "/equities/bars/daily?date=2024-02-01", key="light-key")
    assert set(premium["data"][0]) == set(EQUITIES_BARS_DAILY.columns)
    assert set(light["data"][0]) == {f.name for f in EQUITIES_BARS_DAILY.fields if not f.optional_key}
    row = premium["data"][0]
    if row["C"] is not None:  # whole day = sessions combined
        assert row["O"] == row["MO"] and row["C"] == row["AC"] and row["Vo"] == row["MVo"] + row["AVo"]
        assert row["H"] == max(row["MH"], row["AH"]) and row["L"] == min(row["ML"], row["AL"])


def test_gzip_only_when_asked(fake_api):
    assert "Content-Encoding" not in get(fake_api, "/markets/calendar?from=2024-01-01&to=2024-01-31")[2]
    assert (
        get(fake_api, "/markets/calendar?from=2024-01-01&to=2024-01-31", gzip_ok=True)[2]["Content-Encoding"] == "gzip"
    )


def test_pagination_keys_change_and_are_bound_to_the_query(fake_api):
    fake_api.state.config.page_size = 10
    _, p1, _ = get(fake_api, "/equities/bars/daily?date=2024-02-01")
    _, p2, _ = get(fake_api, f"/equities/bars/daily?date=2024-02-01&pagination_key={p1['pagination_key']}")
    assert p1["pagination_key"] != p2.get("pagination_key")
    assert {r["Code"] for r in p1["data"]}.isdisjoint({r["Code"] for r in p2["data"]})
    status, _, _ = get(fake_api, f"/equities/bars/daily?date=2024-02-02&pagination_key={p1['pagination_key']}")
    assert status == 400
    _, empty, _ = get(fake_api, "/equities/bars/daily?date=2024-02-03")  # a Saturday
    assert empty == {"data": []}


def test_faults_are_injected_then_stop(fake_api):
    fake_api.state.add_fault(Fault("503", "/equities/master", times=1))
    assert get(fake_api, "/equities/master")[0] == 503
    assert get(fake_api, "/equities/master")[0] == 200
    fake_api.state.add_fault(Fault("429", "/equities/master", times=1, retry_after=7))
    status, _, headers = get(fake_api, "/equities/master")
    assert status == 429 and headers["Retry-After"] == "7"
    fake_api.state.add_fault(Fault("429", "/equities/master", times=1))
    assert "Retry-After" not in get(fake_api, "/equities/master")[2]


@pytest.mark.parametrize(
    "spec, fault",
    [
        ("429:/equities/master:3", Fault("429", "/equities/master", 3)),
        ("500::*", Fault("500", "", None)),
        ("429::2:30", Fault("429", "", 2, retry_after=30.0)),
        ("slow:/fins/summary:*:8", Fault("slow", "/fins/summary", None, delay=8.0)),
    ],
)
def test_fault_specs_of_the_command_line(spec, fault):
    assert Fault.parse(spec) == fault


@pytest.mark.parametrize("spec", ["teapot", "500::x", "500::1:30", "429::1:-1", "429:a:1:2:3"])
def test_bad_fault_specs_are_refused(spec):
    with pytest.raises(ValueError, match="fault"):
        Fault.parse(spec)


def test_official_client_reads_everything(fake_api, tmp_path):
    """jquants-api-client's ClientV2 is the reference consumer: what it reads here it reads from J-Quants."""
    jq = pytest.importorskip("jquantsapi")
    client = jq.ClientV2(api_key="test-key")
    client.JQUANTS_API_BASE = fake_api.base_url
    fake_api.state.config.page_size = 9
    master = client.get_eq_master(date="2024-02-01")
    assert list(master.columns) == EQUITIES_MASTER.columns and len(master) > 30
    bars = client.get_eq_bars_daily(date_yyyymmdd="20240201")
    assert len(bars) == fake_api.market.bars(day=date(2024, 2, 1)).height  # several pages, joined
    assert set(EQUITIES_BARS_DAILY.columns) <= set(bars.columns)
    code = master["Code"].iloc[0]
    history = client.get_eq_bars_daily(code=code, from_yyyymmdd="20240101", to_yyyymmdd="20240331")
    assert history["Date"].is_monotonic_increasing and len(history) > 40
    fins = client.get_fin_summary(code=code)
    assert list(fins.columns) == FINS_SUMMARY.columns
    inv = client.get_eq_investor_types(from_yyyymmdd="20240101", to_yyyymmdd="20240331")
    assert set(inv.columns) == set(EQUITIES_INVESTOR_TYPES.columns) and len(inv) >= 40
    assert len(client.get_idx_bars_daily_topix(from_yyyymmdd="20240101", to_yyyymmdd="20240131")) == 19
    cal = client.get_mkt_calendar(holiday_division="2", from_yyyymmdd="20240101", to_yyyymmdd="20241231")
    assert list(cal["Date"].astype(str).str[:10]) == ["2024-01-04"]
    listing = client.get_bulk_list(endpoint="/equities/bars/daily", from_date="2024-01-01", to_date="2024-02-29")
    assert len(listing) == 2
    out = tmp_path / "bars.csv.gz"
    client.download_bulk(listing["Key"].iloc[0], str(out))
    header = gzip.decompress(out.read_bytes()).split(b"\n", 1)[0].decode()
    assert header.split(",")[:4] == ["Date", "Code", "O", "H"]
    with pytest.raises(Exception, match="403"):
        bad = jq.ClientV2(api_key="wrong")
        bad.JQUANTS_API_BASE = fake_api.base_url
        bad.get_eq_master()


# ----------------------------------------------------------------------------- the synthetic market
def test_market_is_deterministic():
    cfg = MarketConfig(seed=5, n_codes=15, start=date(2024, 1, 4), end=date(2024, 3, 29))
    a, b = SyntheticMarket(cfg), SyntheticMarket(cfg)
    assert a.bars(day=date(2024, 3, 1)).equals(b.bars(day=date(2024, 3, 1)))
    assert a.fins_frame.equals(b.fins_frame)


@pytest.fixture(scope="module")
def outage_market() -> SyntheticMarket:
    return SyntheticMarket(MarketConfig(seed=3, n_codes=60, start=date(2020, 9, 1), end=date(2024, 3, 29)))


def test_calendar_has_holidays_half_days_outage_and_ose_days(outage_market):
    m = outage_market
    assert m.holdiv[date(2020, 10, 1)] == "1" and date(2020, 10, 1) in m.session_index
    assert m.holdiv[date(2021, 1, 1)] == "0" and m.holdiv[date(2021, 1, 4)] == "2"  # New Year, first session
    assert m.holdiv[date(2022, 11, 3)] == "3" and m.holdiv[date(2021, 11, 3)] == "0"  # OSE holiday trading from 2022-09
    assert m.holdiv[date(2022, 11, 5)] == "0"  # Saturday


def test_outage_day_has_null_prices_and_flat_topix(outage_market):
    m = outage_market
    day = m.bars(day=OUTAGE)
    assert day.height > 0 and day["C"].null_count() == day.height and day["AdjC"].null_count() == day.height
    topix = m.topix(start=date(2020, 9, 30), end=OUTAGE)
    assert topix["C"][0] == topix["C"][1] == topix["O"][1]


def test_splits_back_adjust_history_relative_to_as_of(outage_market):
    m = outage_market
    t, i = np.nonzero(m.factor != 1)
    assert len(t) > 0
    k = int(np.argmin(t))  # the earliest corporate action
    t, i = int(t[k]), int(i[k])
    code, ex_date = m.codes[i], m.sessions[t]
    hist = m.bars(code=code, start=m.sessions[t - 3], end=ex_date)
    f = m.factor[t, i]
    assert hist["AdjFactor"][-1] == f
    before = hist.filter(hist["Date"] < ex_date.isoformat())
    closes = before.drop_nulls("C")
    later = np.prod(m.factor[t + 1 :, i])
    assert np.allclose(closes["AdjC"], np.floor(closes["C"] * f * later * 10 + 0.5) / 10)
    m.as_of = m.sessions[t - 1]  # before the split was known: no adjustment yet
    try:
        early = m.bars(code=code, start=m.sessions[t - 3], end=m.sessions[t - 1]).drop_nulls("C")
        assert np.allclose(early["AdjC"], np.floor(early["C"] * 10 + 0.5) / 10)  # the earliest action: nothing to apply
    finally:
        m.as_of = m.config.end


def test_listing_history_is_point_in_time(outage_market):
    m = outage_market
    before, after = m.master(day=date(2022, 3, 1)), m.master(day=date(2022, 5, 2))
    assert set(before["Mkt"]) <= {"0101", "0102", "0104", "0106", "0107"}
    assert set(after["Mkt"]) <= {"0111", "0112", "0113"}
    assert before["Date"][0] == "2022-03-01" and m.master(day=date(2022, 3, 5))["Date"][0] == "2022-03-07"


def test_investor_types_identities_publication_and_corrections(outage_market):
    inv = outage_market.investor_types()
    rows = inv.to_dicts()
    for r in rows:
        assert r["TotBal"] == r["TotBuy"] - r["TotSell"] and r["TotTot"] == r["TotSell"] + r["TotBuy"]
        assert r["TotSell"] == r["PropSell"] + r["BrkSell"]
        assert r["BrkSell"] == sum(
            r[c + "Sell"]
            for c in ("Ind", "Frgn", "SecCo", "InvTr", "BusCo", "OthCo", "InsCo", "Bank", "TrstBnk", "OthFin")
        )
        assert r["PubDate"] > r["EnDate"]
    thursday = [r for r in rows if r["EnDate"] == "2022-06-10"]
    assert thursday and all(r["PubDate"] == "2022-06-16" for r in thursday)
    weeks = inv.group_by(["Section", "StDate", "EnDate"]).len()
    assert weeks["len"].max() == 2  # a correction adds a row with a later PubDate
    corrected = inv.join(weeks.filter(weeks["len"] == 2), on=["Section", "StDate", "EnDate"])
    assert corrected["PubDate"].min() >= "2023-04-03"
    assert {"TSE1st", "TSEPrime", "TokyoNagoya"} <= set(inv["Section"])


def test_statements_have_realistic_timing(outage_market):
    f = outage_market.fins_frame
    times = set(f["DiscTime"])
    assert {"", "15:00:00", "15:30:00", "16:00:00"} <= times
    assert f["DiscNo"].str.len_chars().min() == 14 and f["DiscNo"].is_unique().all()
    assert f.filter(f["DocType"] == "EarnForecastRevision").height > 0
    holiday_releases = [d for d in f["DiscDate"] if outage_market.holdiv.get(date.fromisoformat(d)) not in ("1", "2")]
    assert holiday_releases  # the odd release on a non-trading weekday
    assert all(date.fromisoformat(d).weekday() < 5 for d in f["DiscDate"])  # TDnet is shut at weekends
