"""Every SQL indicator of ml_dataset against pandas, TA-Lib and pandas-ta, on a warehouse built by
`dbt build` from the fake server: ~21 years of daily history per code (> 5,000 rows), several
codes with splits (raw prices jump, adjusted ones do not).

Tolerances (issue #5): EMAs and returns within 1e-9 relative at every row; everything else within
1e-6 (after warm-up for TA-Lib's seeded indicators and pandas-ta's differently seeded RSI).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pandas_ta as ta
import pytest
import talib

from gogooku3.fakeapi.market import MarketConfig, SyntheticMarket
from gogooku3.fakeapi.server import FakeJQuants, ServerConfig
from tests.conftest import ingest, query
from tests.dbt.runner import WAREHOUSE, dbt

LONG = MarketConfig(seed=21, n_codes=8, start=date(2002, 1, 4), end=date(2026, 10, 30), split_rate=0.6)
MIDDLE = date(2021, 12, 30)  # no plan sees more than 20 years: load the history in two runs, as time would


@pytest.fixture(scope="module")
def long_history(tmp_path_factory) -> tuple[pd.DataFrame, SyntheticMarket]:
    tmp = tmp_path_factory.mktemp("parity")
    db = tmp / WAREHOUSE
    market = SyntheticMarket(LONG)
    with FakeJQuants(market, ServerConfig(api_keys={"k": "premium"})) as api:
        codes = tuple(str(c) for c in market.codes)
        for start, end in ((LONG.start, MIDDLE), (MIDDLE, LONG.end)):
            report = ingest(
                api, db, key="k", codes=codes, datasets=("calendar", "bars"), start=start, end=end, today=end
            )
            assert report.ok, report.failures
    out = dbt(["build", "--exclude", "macro_checks"], db, tmp)
    assert out.returncode == 0, out.stdout[-3000:]
    frame = pd.DataFrame(
        query(db, "select * from ml_dataset order by code, date"),
        columns=[
            c
            for (c,) in query(
                db,
                "select column_name from information_schema.columns "
                "where table_name = 'ml_dataset' order by ordinal_position",
            )
        ],
    )
    return frame, market


def per_code(frame: pd.DataFrame):
    for code, g in frame.groupby("code", sort=True):
        yield code, g.reset_index(drop=True)


def assert_close(
    ours: pd.Series, ref: pd.Series | np.ndarray, rtol: float, label: str, start: int = 0, atol: float = 0.0
) -> None:
    ours = pd.Series(ours, dtype="float64").iloc[start:].to_numpy()
    ref = pd.Series(np.asarray(ref, dtype="float64")).iloc[start:].to_numpy()
    assert np.array_equal(np.isnan(ours), np.isnan(ref)), f"{label}: NULL pattern differs"
    ok = ~np.isnan(ref)
    err = np.abs(ours[ok] - ref[ok])
    bound = rtol * np.abs(ref[ok]) + atol
    worst = int(np.argmax(err - bound)) if ok.any() else 0
    assert (err <= bound).all(), f"{label}: row {worst}: {ours[ok][worst]!r} vs {ref[ok][worst]!r}"


def test_history_is_long_and_has_splits(long_history):
    frame, market = long_history
    assert frame.groupby("code").size().max() > 5000
    splits = (market.factor != 1).sum()
    assert splits >= 3


def test_emas_and_returns_match_pandas_to_1e_9(long_history):
    frame, _ = long_history
    for code, g in per_code(frame):
        c = g["close"]
        for span in (5, 10, 20, 60, 200):
            assert_close(g[f"ema_{span}"], c.ewm(span=span, adjust=False).mean(), 1e-9, f"{code} ema_{span}")
            assert_close(
                g[f"ema_{span}"], ta.ema(c, span, talib=False, presma=False), 1e-9, f"{code} pandas-ta ema_{span}"
            )
        for h in (1, 5, 10, 20):
            assert_close(g[f"returns_{h}d"], c / c.shift(h) - 1, 1e-9, f"{code} returns_{h}d")
            assert_close(g[f"target_{h}d"], c.shift(-h) / c - 1, 1e-9, f"{code} target_{h}d")


def test_macd_bollinger_volatility_match_pandas(long_history):
    frame, _ = long_history
    for code, g in per_code(frame):
        c = g["close"]
        m = c.ewm(span=12, adjust=False).mean() - c.ewm(span=26, adjust=False).mean()
        signal = m.ewm(span=9, adjust=False).mean()
        assert_close(g["macd_signal"], signal, 1e-6, f"{code} macd_signal", atol=1e-9 * c.abs().max())
        assert_close(g["macd_histogram"], m - signal, 1e-6, f"{code} macd_histogram", atol=1e-9 * c.abs().max())
        upper, middle, lower = talib.BBANDS(c.to_numpy(), 20, 2, 2, 0)  # TA-Lib: population std
        assert_close(g["bb_pct_b"], (c - lower) / (upper - lower), 1e-6, f"{code} bb_pct_b", atol=1e-9)
        assert_close(g["bb_bandwidth"], (upper - lower) / middle, 1e-6, f"{code} bb_bandwidth")
        r = c / c.shift(1) - 1
        vol20 = r.rolling(20).std() * np.sqrt(252)
        assert_close(g["volatility_20d"], vol20, 1e-6, f"{code} volatility_20d")
        assert_close(g["volatility_60d"], r.rolling(60).std() * np.sqrt(252), 1e-6, f"{code} volatility_60d")
        assert_close(g["volatility_change"], vol20 / vol20.shift(1) - 1, 1e-6, f"{code} volatility_change", atol=1e-12)
        hl = np.log(g["high"] / g["low"]) ** 2
        assert_close(
            g["parkinson_vol_20d"],
            np.sqrt(hl.rolling(20).mean() / (4 * np.log(2))) * np.sqrt(252),
            1e-6,
            f"{code} parkinson_vol_20d",
        )
        q80 = vol20.rolling(252, min_periods=1).quantile(0.8)
        # the spec's '>', with differences below 1e-12 relative counted as ties (float noise: threshold_flag)
        expected_high = np.where(vol20.isna(), np.nan, (vol20 > q80 + 1e-12 * q80.abs()).astype(float))
        assert_close(g["high_vol_flag"], expected_high, 0, f"{code} high_vol_flag")


def test_rsi_matches_talib_and_pandas_ta_after_warm_up(long_history):
    frame, _ = long_history
    for code, g in per_code(frame):
        c = g["close"].to_numpy()
        assert_close(g["rsi_14"], talib.RSI(c, 14), 1e-6, f"{code} rsi_14")
        assert_close(g["rsi_2"], talib.RSI(c, 2), 1e-6, f"{code} rsi_2")
        # pandas-ta seeds its Wilder average differently (first value, not the mean): equal after warm-up
        theirs = ta.rsi(g["close"], 14, talib=False)
        assert_close(g["rsi_14"], theirs, 1e-6, f"{code} pandas-ta rsi_14", start=400)


def test_extended_indicators_match_talib(long_history):
    frame, _ = long_history
    for code, g in per_code(frame):
        h, l, c = (g[k].to_numpy() for k in ("high", "low", "close"))
        assert_close(g["atr_14"], talib.ATR(h, l, c, 14), 1e-6, f"{code} atr_14")
        assert_close(g["natr_14"], talib.NATR(h, l, c, 14), 1e-6, f"{code} natr_14")
        assert_close(g["adx_14"], talib.ADX(h, l, c, 14), 1e-6, f"{code} adx_14")
        assert_close(g["plus_di_14"], talib.PLUS_DI(h, l, c, 14), 1e-6, f"{code} plus_di_14")
        assert_close(g["minus_di_14"], talib.MINUS_DI(h, l, c, 14), 1e-6, f"{code} minus_di_14")
        assert_close(g["psar"], talib.SAR(h, l, 0.02, 0.2), 1e-6, f"{code} psar")
        k, d = talib.STOCH(h, l, c, 14, 3, 0, 3, 0)
        assert_close(g["stoch_k"], k, 1e-6, f"{code} stoch_k", atol=1e-9)
        assert_close(g["stoch_d"], d, 1e-6, f"{code} stoch_d", atol=1e-9)


def test_splits_move_raw_prices_not_adjusted_ones(long_history):
    frame, market = long_history
    t_idx, i_idx = np.nonzero(market.factor != 1)
    checked = 0
    for t, i in zip(t_idx, i_idx):
        code, ex_date = str(market.codes[i]), market.sessions[t]
        g = frame[frame["code"] == code].set_index("date")
        if pd.Timestamp(ex_date).date() not in set(g.index):
            continue
        raw_before, raw_on = market.C[t - 1, i], market.C[t, i]
        f = market.factor[t, i]
        raw_jump = raw_on / raw_before - 1
        adjusted = g.loc[ex_date, "returns_1d"]
        # the raw series jumps by about the split ratio; the adjusted return is the true move
        assert abs(adjusted - (raw_on / (raw_before * f) - 1)) < 1e-9
        assert abs(raw_jump - adjusted) > 0.3 * abs(1 - f)
        checked += 1
    assert checked >= 3
