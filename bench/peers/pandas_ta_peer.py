"""Peer 2 of the side-by-side benchmark: the seed's approach. pandas reads the raw tables, a pandas
groupby walks the codes, and pandas-ta's documented API (`talib=False`, so pandas-ta's own code,
never TA-Lib) computes the indicators of each code; flows are joined with `merge_asof`. Writes
`bench.peer_pandas_ta` into the same DuckDB file.

    python bench/peers/pandas_ta_peer.py WAREHOUSE.duckdb

pandas-ta seeds its Wilder RSI with the first change instead of the mean of the first n (TA-Lib
and the spec): rsi_14, rsi_2 and rsi_delta agree with ml_dataset only after a warm-up.
"""

from __future__ import annotations

import math
import sys
import time
import warnings

import duckdb
import numpy as np
import pandas as pd
import pandas_ta as ta
from warehouse import SECTION_OF, VALIDITY_ROWS, write_peer_table

SQRT252 = math.sqrt(252)


def ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    return num / den.where(den != 0)


def flag(cond: pd.Series, valid: pd.Series | None = None) -> pd.Series:
    out = cond.astype("float64")
    return out.where(valid) if valid is not None else out


def load(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    bars = con.sql(
        'select "Code" as code, "Date" as date, "O", "H", "L", "C", "Vo", "Va", "AdjFactor" '
        "from raw.equities_bars_daily order by code, date"
    ).df()
    # adjusted prices: raw × product of the AdjFactor of all later rows of the code
    f = bars["AdjFactor"].fillna(1.0)
    through = f[::-1].groupby(bars["code"][::-1]).cumprod()[::-1]  # this row and all later ones
    adj = through / f
    obs = pd.DataFrame(
        {
            "code": bars["code"],
            "date": bars["date"],
            "open": bars["O"] * adj,
            "high": bars["H"] * adj,
            "low": bars["L"] * adj,
            "close": bars["C"] * adj,
            "volume": bars["Vo"] / adj,
            "turnover_value": bars["Va"].astype("float64"),
        }
    )
    obs = obs[obs["close"] > 0].reset_index(drop=True)
    obs["row_idx"] = obs.groupby("code").cumcount() + 1

    calendar = con.sql(
        "select \"Date\" as date from raw.markets_calendar where \"HolDiv\" in ('1', '2') order by 1"
    ).df()
    flows = con.sql(
        'select "Section" as section, "StDate" as st, "EnDate" as en, "PubDate" as pub, '
        '"FrgnBal" as frgn, "IndBal" as ind from raw.equities_investor_types'
    ).df()
    flows = flows[flows["section"] != "TokyoNagoya"].sort_values(["section", "en", "pub"])
    weekly = flows.drop_duplicates(["section", "st", "en"], keep="first").copy()
    by_section = weekly.groupby("section")
    z = {
        x: (weekly[x] - by_section[x].transform(lambda s: s.rolling(52).mean()))
        / by_section[x].transform(lambda s: s.rolling(52).std()).replace(0, np.nan)
        for x in ("frgn", "ind")
    }
    weekly["smart_money_index"] = z["frgn"] - z["ind"]
    weekly["smart_money_change"] = weekly["smart_money_index"] - weekly.groupby("section")[
        "smart_money_index"
    ].transform(lambda s: s.rolling(4).mean())
    weekly["flow_high_flag"] = flag(weekly["smart_money_index"] >= 2, weekly["smart_money_index"].notna())
    weekly["flow_low_flag"] = flag(weekly["smart_money_index"] <= -2, weekly["smart_money_index"].notna())
    days = calendar["date"].to_numpy()
    idx = np.searchsorted(days, weekly["pub"].to_numpy(), side="right")  # strictly after publication
    weekly = weekly[idx < len(days)].copy()
    weekly["available_from"] = days[idx[idx < len(days)]]
    weekly = weekly.sort_values("available_from").drop_duplicates(["section", "available_from"], keep="last")

    master = con.sql('select "Code" as code, "Date" as snapshot, "Mkt" as mkt from raw.equities_master').df()
    master["section"] = master["mkt"].map(SECTION_OF)
    obs = obs.sort_values("date")
    obs = pd.merge_asof(
        obs,
        master.sort_values("snapshot")[["code", "snapshot", "section"]],
        left_on="date",
        right_on="snapshot",
        by="code",
    )
    obs = pd.merge_asof(
        obs,
        weekly[
            ["section", "available_from", "smart_money_index", "smart_money_change", "flow_high_flag", "flow_low_flag"]
        ],
        left_on="date",
        right_on="available_from",
        by="section",
    )
    return (
        obs.drop(columns=["snapshot", "section", "available_from"]).sort_values(["code", "date"]).reset_index(drop=True)
    )


def series(result: pd.Series | None, like: pd.Series) -> pd.Series:
    """pandas-ta returns None when a series is shorter than the length: all-NaN, as the spec says."""
    return result if result is not None else pd.Series(np.nan, index=like.index)


def ema_of(x: pd.Series, span: int) -> pd.Series:
    """pandas-ta's EMA; it declines series shorter than the span, where the spec's EMA (E₁ = x₁)
    still has values, so those fall back to the same recursion in pandas."""
    out = ta.ema(x, span, talib=False, presma=False)
    return out if out is not None else x.ewm(span=span, adjust=False).mean()


def code_features(g: pd.DataFrame) -> pd.DataFrame:
    c, h, low = g["close"], g["high"], g["low"]
    out = {}
    for k in (1, 5, 10, 20):
        out[f"returns_{k}d"] = series(ta.percent_return(c, length=k), c)
        out[f"target_{k}d"] = c.shift(-k) / c - 1
    ema = {s: ema_of(c, s) for s in (5, 10, 20, 60, 200)}
    for s, e in ema.items():
        out[f"ema_{s}"] = e
        out[f"price_ema{s}_dev"] = ratio(c - e, e)
    for a, b in ((5, 20), (20, 60), (60, 200)):
        out[f"ma_gap_{a}_{b}"] = ratio(ema[a] - ema[b], ema[b])
        out[f"ema_cross_{a}_{b}"] = flag(ema[a] > ema[b])
    for s in (5, 20, 60):
        out[f"ema{s}_slope"] = series(ta.percent_return(ema[s], length=1), c)
    out["ma_ribbon_bullish"] = flag((ema[5] > ema[10]) & (ema[10] > ema[20]) & (ema[20] > ema[60]))
    out["ma_ribbon_bearish"] = flag((ema[5] < ema[10]) & (ema[10] < ema[20]) & (ema[20] < ema[60]))
    out["ma_ribbon_spread"] = ratio(pd.concat([ema[5], ema[10], ema[20], ema[60]], axis=1).std(axis=1, ddof=1), c)
    r = out
    for a, b in ((1, 5), (5, 20), (10, 20)):
        out[f"momentum_{a}_{b}"] = ratio(r[f"returns_{a}d"], r[f"returns_{b}d"])
    out["ret1d_x_ema20dev"] = r["returns_1d"] * r["price_ema20_dev"]
    out["ret5d_x_ema20dev"] = r["returns_5d"] * r["price_ema20_dev"]
    out["ret1d_x_ema200dev"] = r["returns_1d"] * r["price_ema200_dev"]
    out["ret20d_x_ema200dev"] = r["returns_20d"] * r["price_ema200_dev"]
    out["mom5d_x_ema20slope"] = r["returns_5d"] * r["ema20_slope"]
    out["mom20d_x_ema60slope"] = r["returns_20d"] * r["ema60_slope"]
    sigma = series(ta.stdev(r["returns_1d"], 20, ddof=1, talib=False), c)
    for k in (1, 5, 20):
        out[f"sharpe_{k}d"] = ratio(r[f"returns_{k}d"], sigma * math.sqrt(k))
    out["rsi_14"] = series(ta.rsi(c, 14, talib=False), c)
    out["rsi_2"] = series(ta.rsi(c, 2, talib=False), c)
    out["rsi_delta"] = out["rsi_14"].diff()
    macd = ema_of(c, 12) - ema_of(c, 26)
    signal = ema_of(macd, 9)
    out["macd_signal"], out["macd_histogram"] = signal, macd - signal
    bb = ta.bbands(c, 20, 2, 2, ddof=0, talib=False)
    if bb is None:
        bb = pd.DataFrame({"BBL": np.nan, "BBM": np.nan, "BBU": np.nan}, index=c.index)
    lower, mid, upper = (bb[next(k for k in bb.columns if k.startswith(p))] for p in ("BBL", "BBM", "BBU"))
    out["bb_pct_b"] = ratio(c - lower, upper - lower)
    out["bb_bandwidth"] = ratio(upper - lower, mid)
    vol20 = series(ta.stdev(r["returns_1d"], 20, ddof=1, talib=False), c) * SQRT252
    vol60 = series(ta.stdev(r["returns_1d"], 60, ddof=1, talib=False), c) * SQRT252
    out["volatility_20d"], out["volatility_60d"] = vol20, vol60
    out["volatility_ratio"] = ratio(vol20, vol60)
    out["volatility_change"] = ratio(vol20, vol20.shift(1)) - 1
    q80 = vol20.rolling(252, min_periods=1).quantile(0.8)
    q20 = vol20.rolling(252, min_periods=1).quantile(0.2)
    out["high_vol_flag"] = flag(vol20 > q80, vol20.notna())
    out["low_vol_flag"] = flag(vol20 < q20, vol20.notna())
    out["parkinson_vol_20d"] = np.sqrt((np.log(h / low) ** 2).rolling(20).mean() / (4 * math.log(2))) * SQRT252
    for k in (1, 5, 10):
        t = out[f"target_{k}d"]
        out[f"target_{k}d_binary"] = flag(t > 0, t.notna())
    for name, k in VALIDITY_ROWS:
        out[name] = flag(g["row_idx"] >= k)
    return pd.DataFrame(out, index=g.index)


def main(db: str) -> None:
    warnings.simplefilter("ignore")
    t0 = time.monotonic()
    con = duckdb.connect(db)
    obs = load(con)
    parts = [code_features(g) for _, g in obs.groupby("code", sort=False)]
    frame = pd.concat([obs, pd.concat(parts)], axis=1)
    t1 = time.monotonic()
    write_peer_table(con, "peer_pandas_ta", frame)
    con.close()
    print(
        f"pandas-ta: {len(frame):,} rows × {frame.shape[1]} columns; compute {t1 - t0:.1f} s, write {time.monotonic() - t1:.1f} s"
    )


if __name__ == "__main__":
    main(sys.argv[1])
