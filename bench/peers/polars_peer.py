"""Peer 1 of the side-by-side benchmark: the ml_dataset spec (62 features + 7 targets) as a
competent Polars user writes it. Lazy, sorted once, one `with_columns` pass per dependency level,
native `ewm_mean` / `rolling_*` / `rolling_quantile` over `code`, `join_asof` for point-in-time
flows. Reads the same raw tables as dbt, writes `bench.peer_polars` into the same DuckDB file.

    python bench/peers/polars_peer.py WAREHOUSE.duckdb
"""

from __future__ import annotations

import math
import sys
import time

import duckdb
import polars as pl
from warehouse import SECTION_OF, VALIDITY_ROWS, write_peer_table

SQRT252 = math.sqrt(252)
C = pl.col("close")


def ratio(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    """num/den, NULL when den is 0 (the spec: no ε fudge)."""
    return pl.when(den != 0).then(num / den)


def flag(cond: pl.Expr) -> pl.Expr:
    return cond.cast(pl.Int32)


def wilder_rsi(n: int) -> list[pl.Expr]:
    """TA-Lib RSI: Wilder averages seeded with the mean of the first n changes (at row n+1)."""
    d = C.diff().over("code")
    seeded = []
    for name, x in (("gain", pl.max_horizontal(d, 0)), ("loss", pl.max_horizontal(-d, 0))):
        seed = x.rolling_mean(n).over("code")
        first = pl.when(pl.col("row_idx") == n + 1).then(seed).when(pl.col("row_idx") > n + 1).then(x)
        seeded.append(first.ewm_mean(alpha=1 / n, adjust=False, ignore_nulls=True).over("code").alias(f"_{name}{n}"))
    return seeded


def load(con: duckdb.DuckDBPyConnection) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    bars = (
        con.sql(
            'select "Code" as code, "Date" as date, "O", "H", "L", "C", "Vo", "Va", "AdjFactor" '
            "from raw.equities_bars_daily"
        )
        .pl()
        .lazy()
    )
    calendar = (
        con.sql("select \"Date\" as date, \"HolDiv\" in ('1', '2') as trading from raw.markets_calendar").pl().lazy()
    )
    master = con.sql('select "Code" as code, "Date" as snapshot, "Mkt" as mkt from raw.equities_master').pl().lazy()
    flows = (
        con.sql(
            'select "Section" as section, "StDate" as st, "EnDate" as en, "PubDate" as pub, '
            '"FrgnBal" as frgn, "IndBal" as ind from raw.equities_investor_types'
        )
        .pl()
        .lazy()
    )

    # adjusted prices: raw × product of the AdjFactor of all later rows of the code
    later = pl.col("AdjFactor").fill_null(1.0).reverse().cum_prod().reverse().shift(-1, fill_value=1.0).over("code")
    obs = (
        bars.sort("code", "date")
        .with_columns(later.alias("_adj"))
        .filter((pl.col("C") * pl.col("_adj")) > 0)
        .select(
            "code",
            "date",
            (pl.col("O") * pl.col("_adj")).alias("open"),
            (pl.col("H") * pl.col("_adj")).alias("high"),
            (pl.col("L") * pl.col("_adj")).alias("low"),
            (pl.col("C") * pl.col("_adj")).alias("close"),
            (pl.col("Vo") / pl.col("_adj")).alias("volume"),
            pl.col("Va").cast(pl.Float64).alias("turnover_value"),
            pl.int_range(1, pl.len() + 1, dtype=pl.Int32).over("code").alias("row_idx"),
        )
    )

    # flows: weekly z-scores per section, usable from the trading day after publication
    trading = calendar.filter("trading").select("date").sort("date")
    z = lambda x: ratio(
        pl.col(x) - pl.col(x).rolling_mean(52).over("section"), pl.col(x).rolling_std(52).over("section")
    )
    weekly = (
        flows.filter(pl.col("section") != "TokyoNagoya")
        .sort("section", "en", "pub")
        .unique(["section", "st", "en"], keep="first", maintain_order=True)
        .with_columns((z("frgn") - z("ind")).alias("smart_money_index"))
        .with_columns(
            (pl.col("smart_money_index") - pl.col("smart_money_index").rolling_mean(4).over("section")).alias(
                "smart_money_change"
            ),
            flag(pl.col("smart_money_index") >= 2).alias("flow_high_flag"),
            flag(pl.col("smart_money_index") <= -2).alias("flow_low_flag"),
            (pl.col("pub") + pl.duration(days=1)).alias("_after"),
        )
        .sort("_after")
        .join_asof(
            trading.rename({"date": "available_from"}), left_on="_after", right_on="available_from", strategy="forward"
        )
        .drop_nulls("available_from")
        .sort("section", "available_from")
        .unique(["section", "available_from"], keep="last", maintain_order=True)
        .select(
            "section", "available_from", "smart_money_index", "smart_money_change", "flow_high_flag", "flow_low_flag"
        )
    )
    listing = master.with_columns(pl.col("mkt").replace_strict(SECTION_OF, default=None).alias("section")).sort(
        "snapshot"
    )
    obs = (
        obs.sort("date")
        .join_asof(
            listing.select("code", "snapshot", "section"),
            left_on="date",
            right_on="snapshot",
            by="code",
            check_sortedness=False,
        )
        .sort("date")
        .join_asof(
            weekly.sort("available_from"),
            left_on="date",
            right_on="available_from",
            by="section",
            check_sortedness=False,
        )
        .drop("snapshot", "section", "available_from")
    )
    return obs.sort("code", "date"), weekly


def features(obs: pl.LazyFrame) -> pl.LazyFrame:
    over = lambda e: e.over("code")
    ret = {h: over(C / C.shift(h) - 1).alias(f"returns_{h}d") for h in (1, 5, 10, 20)}
    ema = {s: over(C.ewm_mean(span=s, adjust=False)).alias(f"ema_{s}") for s in (5, 10, 20, 60, 200)}
    macd = over(C.ewm_mean(span=12, adjust=False) - C.ewm_mean(span=26, adjust=False)).alias("_macd")
    mid = over(C.rolling_mean(20))
    sd = over(C.rolling_std(20, ddof=0))
    hl2 = (pl.col("high") / pl.col("low")).log() ** 2
    lf = obs.with_columns(
        *ret.values(),
        *ema.values(),
        macd,
        *wilder_rsi(14),
        *wilder_rsi(2),
        ratio(C - (mid - 2 * sd), 4 * sd).alias("bb_pct_b"),
        ratio(4 * sd, mid).alias("bb_bandwidth"),
        ((over(hl2.rolling_mean(20)) / (4 * math.log(2))).sqrt() * SQRT252).alias("parkinson_vol_20d"),
        *[over(C.shift(-h) / C - 1).alias(f"target_{h}d") for h in (1, 5, 10, 20)],
    )
    r1, e = pl.col("returns_1d"), {s: pl.col(f"ema_{s}") for s in (5, 10, 20, 60, 200)}
    sigma = over(r1.rolling_std(20))
    rsi = lambda n: (
        pl.when(pl.col(f"_gain{n}") + pl.col(f"_loss{n}") == 0)
        .then(50.0)
        .otherwise(100 * pl.col(f"_gain{n}") / (pl.col(f"_gain{n}") + pl.col(f"_loss{n}")))
    )
    lf = lf.with_columns(
        *[ratio(C - e[s], e[s]).alias(f"price_ema{s}_dev") for s in (5, 10, 20, 60, 200)],
        *[ratio(e[a] - e[b], e[b]).alias(f"ma_gap_{a}_{b}") for a, b in ((5, 20), (20, 60), (60, 200))],
        *[over(e[s] / e[s].shift(1) - 1).alias(f"ema{s}_slope") for s in (5, 20, 60)],
        *[flag(e[a] > e[b]).alias(f"ema_cross_{a}_{b}") for a, b in ((5, 20), (20, 60), (60, 200))],
        flag((e[5] > e[10]) & (e[10] > e[20]) & (e[20] > e[60])).alias("ma_ribbon_bullish"),
        flag((e[5] < e[10]) & (e[10] < e[20]) & (e[20] < e[60])).alias("ma_ribbon_bearish"),
        ratio(pl.concat_list(e[5], e[10], e[20], e[60]).list.std(ddof=1), C).alias("ma_ribbon_spread"),
        *[
            ratio(pl.col(f"returns_{a}d"), pl.col(f"returns_{b}d")).alias(f"momentum_{a}_{b}")
            for a, b in ((1, 5), (5, 20), (10, 20))
        ],
        *[ratio(pl.col(f"returns_{h}d"), sigma * math.sqrt(h)).alias(f"sharpe_{h}d") for h in (1, 5, 20)],
        rsi(14).alias("rsi_14"),
        rsi(2).alias("rsi_2"),
        over(pl.col("_macd").ewm_mean(span=9, adjust=False)).alias("macd_signal"),
        (over(r1.rolling_std(20)) * SQRT252).alias("volatility_20d"),
        (over(r1.rolling_std(60)) * SQRT252).alias("volatility_60d"),
        *[
            pl.when(pl.col(f"target_{h}d").is_not_null())
            .then(flag(pl.col(f"target_{h}d") > 0))
            .alias(f"target_{h}d_binary")
            for h in (1, 5, 10)
        ],
        *[flag(pl.col("row_idx") >= k).alias(name) for name, k in VALIDITY_ROWS],
    )
    v20 = pl.col("volatility_20d")
    lf = lf.with_columns(
        (pl.col("returns_1d") * pl.col("price_ema20_dev")).alias("ret1d_x_ema20dev"),
        (pl.col("returns_5d") * pl.col("price_ema20_dev")).alias("ret5d_x_ema20dev"),
        (pl.col("returns_1d") * pl.col("price_ema200_dev")).alias("ret1d_x_ema200dev"),
        (pl.col("returns_20d") * pl.col("price_ema200_dev")).alias("ret20d_x_ema200dev"),
        (pl.col("returns_5d") * pl.col("ema20_slope")).alias("mom5d_x_ema20slope"),
        (pl.col("returns_20d") * pl.col("ema60_slope")).alias("mom20d_x_ema60slope"),
        over(pl.col("rsi_14") - pl.col("rsi_14").shift(1)).alias("rsi_delta"),
        (pl.col("_macd") - pl.col("macd_signal")).alias("macd_histogram"),
        ratio(v20, pl.col("volatility_60d")).alias("volatility_ratio"),
        over(ratio(v20, v20.shift(1)) - 1).alias("volatility_change"),
        pl.when(v20.is_not_null())
        .then(flag(v20 > over(v20.rolling_quantile(0.8, "linear", 252, min_samples=1))))
        .alias("high_vol_flag"),
        pl.when(v20.is_not_null())
        .then(flag(v20 < over(v20.rolling_quantile(0.2, "linear", 252, min_samples=1))))
        .alias("low_vol_flag"),
    )
    return lf.drop("_macd", "_gain14", "_loss14", "_gain2", "_loss2")


def main(db: str) -> None:
    t0 = time.monotonic()
    con = duckdb.connect(db)
    obs, _ = load(con)
    frame = features(obs).collect()
    t1 = time.monotonic()
    write_peer_table(con, "peer_polars", frame.to_arrow())
    con.close()
    print(
        f"polars: {frame.height:,} rows × {frame.width} columns; compute {t1 - t0:.1f} s, write {time.monotonic() - t1:.1f} s"
    )


if __name__ == "__main__":
    main(sys.argv[1])
