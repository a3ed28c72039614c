"""The enrichment blocks of ml_dataset_enriched against pandas, on the warehouse `dbt build` made
from the fake server (40 codes, half a year): the 60-row beta to TOPIX and what derives from it,
the cross-sectional ranks and z-scores, and the sector block. Within 1e-9 relative (1e-12 absolute
for values near 0, where a relative bound means nothing) at every row, and the same NULLs.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from tests.conftest import query
from tests.dbt.test_feature_parity import assert_close

RTOL, ATOL = 1e-9, 1e-12
CROSS_SECTION = ("returns_1d", "returns_5d", "returns_20d", "volatility_20d", "turnover_value")


def full_windows(valid: pd.Series, rows: int) -> pd.Series:
    """True where the trailing `rows` rows are all valid (SQL's `count(x) over (… rows n preceding) = n`)."""
    return valid.astype(int).rolling(rows, min_periods=1).sum() == rows


def frame(db, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(sql).df()
    finally:
        con.close()


@pytest.fixture(scope="module")
def enriched(built) -> pd.DataFrame:
    db, _, out = built
    assert out.returncode == 0, out.stdout[-3000:]
    data = frame(
        db,
        """
        select e.*, s.sector33_code
        from ml_dataset_enriched as e
        left join intermediate.int_enrichment__sector as s using (code, date)
        order by code, date""",
    )
    assert len(data) == query(db, "select count(*) from ml_dataset")[0][0] > 0
    return data


def test_beta_alpha_and_relative_strength_match_pandas(enriched):
    checked = 0
    for code, g in enriched.groupby("code", sort=True):
        g = g.reset_index(drop=True)
        y, x = g["returns_1d"], g["mkt_ret_1d"]
        full = full_windows(y.notna() & x.notna(), 60)
        cov = y.rolling(60).cov(x)
        var = x.rolling(60).var()
        beta = (cov / var.where(var != 0)).where(full)
        assert_close(g["beta_60d"], beta, RTOL, f"{code} beta_60d", atol=ATOL)
        assert_close(g["alpha_1d"], y - beta * x, RTOL, f"{code} alpha_1d", atol=ATOL)
        assert_close(g["alpha_5d"], g["returns_5d"] - beta * g["mkt_ret_5d"], RTOL, f"{code} alpha_5d", atol=ATOL)
        assert_close(
            g["rel_strength_20d"], g["returns_20d"] - g["mkt_ret_20d"], RTOL, f"{code} rel_strength_20d", atol=ATOL
        )
        assert (g["is_beta_valid"] == beta.notna().astype(int)).all(), code
        checked += int(beta.notna().sum())
    assert checked > 1000  # half a year: each code has ~60 betas


def test_market_returns_match_topix(built, enriched):
    topix = frame(built[0], "select date, close from fct_topix_daily where close is not null order by date")
    for days in (1, 5, 20):
        topix[f"ret_{days}d"] = topix["close"] / topix["close"].shift(days) - 1
    rows = enriched.merge(topix, on="date", how="left")
    for days in (1, 5, 20):
        assert_close(rows[f"mkt_ret_{days}d"], rows[f"ret_{days}d"], RTOL, f"mkt_ret_{days}d", atol=ATOL)


def test_cross_sectional_ranks_and_z_scores_match_pandas(enriched):
    for x in CROSS_SECTION:
        by_date = enriched.groupby("date")[x]
        n = by_date.transform("count")
        pct = ((by_date.rank(method="average") - 1) / (n - 1)).where(n > 1, 0.5).where(enriched[x].notna())
        z = (enriched[x] - by_date.transform("mean")) / by_date.transform("std").replace(0, np.nan)
        assert_close(enriched[f"{x}_cs_pct"], pct, RTOL, f"{x}_cs_pct", atol=ATOL)
        assert_close(enriched[f"{x}_cs_z"], z, RTOL, f"{x}_cs_z", atol=ATOL)


def test_sector_block_matches_pandas(enriched):
    data = enriched[enriched["sector33_code"].notna()]
    assert data["sector33_code"].nunique() >= 3
    by_day = data.groupby(["sector33_code", "date"])
    days = by_day.agg(
        median=("returns_1d", "median"),
        members=("code", "size"),
        mean5=("returns_5d", "mean"),
        std5=("returns_5d", "std"),
        meanv=("volatility_20d", "mean"),
        stdv=("volatility_20d", "std"),
    ).reset_index()
    days = days.sort_values(["sector33_code", "date"]).reset_index(drop=True)
    series = days.groupby("sector33_code")["median"]
    full5 = series.transform(lambda s: full_windows(s.notna(), 5))
    days["ret5"] = series.transform(lambda s: np.exp(np.log1p(s).rolling(5).sum()) - 1).where(full5)
    full20 = series.transform(lambda s: full_windows(s.notna(), 20))
    days["vol20"] = (series.transform(lambda s: s.rolling(20).std()) * np.sqrt(252.0)).where(full20)
    rows = data.merge(days, on=["sector33_code", "date"], how="left")
    assert_close(rows["sec_ret_1d_eq"], rows["median"], RTOL, "sec_ret_1d_eq", atol=ATOL)
    assert_close(rows["sec_ret_5d_eq"], rows["ret5"], RTOL, "sec_ret_5d_eq", atol=ATOL)
    assert_close(rows["sec_vol_20d"], rows["vol20"], RTOL, "sec_vol_20d", atol=ATOL)
    assert_close(rows["rel_to_sec_5d"], rows["returns_5d"] - rows["ret5"], RTOL, "rel_to_sec_5d", atol=ATOL)
    assert_close(
        rows["z_in_sec_returns_5d"],
        (rows["returns_5d"] - rows["mean5"]) / rows["std5"].replace(0, np.nan),
        RTOL,
        "z_in_sec_returns_5d",
        atol=ATOL,
    )
    assert_close(
        rows["z_in_sec_volatility_20d"],
        (rows["volatility_20d"] - rows["meanv"]) / rows["stdv"].replace(0, np.nan),
        RTOL,
        "z_in_sec_volatility_20d",
        atol=ATOL,
    )
    assert (rows["sec_member_cnt"] == rows["members"]).all()
    assert (rows["is_sec_valid"] == (rows["members"] >= 3).astype(int)).all()
