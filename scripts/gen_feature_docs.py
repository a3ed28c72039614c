"""Regenerate the column docs of the feature models and marts from one table of descriptions.

    python scripts/gen_feature_docs.py path/to/built.duckdb

Writes models/intermediate/features/_features__docs.md (one docs block per column) and the
`columns:` lists of the feature and mart YAML files, reading each relation's columns from a built
warehouse, so every column of every model is described exactly once.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import yaml

ROOT = Path(__file__).resolve().parent.parent

COLUMNS = {
    "code": "5-character J-Quants issue code, text (e.g. 72030, 130A0).",
    "date": "Trading date of the observation.",
    "open": "Split-adjusted open (current share basis).",
    "high": "Split-adjusted high.",
    "low": "Split-adjusted low.",
    "close": "Split-adjusted close (C in the formulas).",
    "volume": "Split-adjusted volume (shares).",
    "turnover_value": "Trading value in JPY (`Va`, never adjusted).",
    "row_idx": "1-based observation number within the code (windows count observations).",
    "prev_close": "Adjusted close of the previous observation (NULL on row 1).",
    "returns_1d": "C_t / C_{t-1} - 1.",
    "returns_5d": "C_t / C_{t-5} - 1.",
    "returns_10d": "C_t / C_{t-10} - 1.",
    "returns_20d": "C_t / C_{t-20} - 1.",
    "ema_5": "EMA(C, 5): pandas ewm(span=5, adjust=False), exact at every row.",
    "ema_10": "EMA(C, 10).",
    "ema_20": "EMA(C, 20).",
    "ema_60": "EMA(C, 60).",
    "ema_200": "EMA(C, 200).",
    "ema_12": "EMA(C, 12), the MACD's fast leg.",
    "ema_26": "EMA(C, 26), the MACD's slow leg.",
    "rsi_14_gain": "Wilder mean (14) of the gains max(C_t − C_{t−1}, 0), seeded as TA-Lib: RSI(14) = 100·gain/(gain + loss).",
    "rsi_14_loss": "Wilder mean (14) of the losses max(C_{t−1} − C_t, 0).",
    "rsi_2_gain": "Wilder mean (2) of the gains.",
    "rsi_2_loss": "Wilder mean (2) of the losses.",
    "state_dmi_plus_dm": "Kernel state after this row: Wilder sum (14) of +DM, for a daily run to continue ±DI/ADX.",
    "state_dmi_minus_dm": "Kernel state after this row: Wilder sum (14) of −DM.",
    "state_dmi_tr": "Kernel state after this row: Wilder sum (14) of the true range.",
    "state_sar": "Kernel state after this row: the SAR the next row starts from.",
    "state_sar_ep": "Kernel state after this row: the SAR's extreme point.",
    "state_sar_af": "Kernel state after this row: the SAR's acceleration factor.",
    "state_sar_is_long": "Kernel state after this row: 1 when the SAR is in a long trend, 0 short.",
    "price_ema5_dev": "(C - ema_5) / ema_5.",
    "price_ema10_dev": "(C - ema_10) / ema_10.",
    "price_ema20_dev": "(C - ema_20) / ema_20.",
    "price_ema60_dev": "(C - ema_60) / ema_60.",
    "price_ema200_dev": "(C - ema_200) / ema_200.",
    "ma_gap_5_20": "(ema_5 - ema_20) / ema_20.",
    "ma_gap_20_60": "(ema_20 - ema_60) / ema_60.",
    "ma_gap_60_200": "(ema_60 - ema_200) / ema_200.",
    "ema5_slope": "ema_5_t / ema_5_{t-1} - 1.",
    "ema20_slope": "ema_20_t / ema_20_{t-1} - 1.",
    "ema60_slope": "ema_60_t / ema_60_{t-1} - 1.",
    "ema_cross_5_20": "1 if ema_5 > ema_20 else 0.",
    "ema_cross_20_60": "1 if ema_20 > ema_60 else 0.",
    "ema_cross_60_200": "1 if ema_60 > ema_200 else 0.",
    "ma_ribbon_bullish": "1 if ema_5 > ema_10 > ema_20 > ema_60 (strict) else 0.",
    "ma_ribbon_bearish": "1 if ema_5 < ema_10 < ema_20 < ema_60 (strict) else 0.",
    "ma_ribbon_spread": "Sample std of (ema_5, ema_10, ema_20, ema_60) / C.",
    "momentum_1_5": "returns_1d / returns_5d (NULL when returns_5d = 0).",
    "momentum_5_20": "returns_5d / returns_20d.",
    "momentum_10_20": "returns_10d / returns_20d.",
    "ret1d_x_ema20dev": "returns_1d × price_ema20_dev.",
    "ret5d_x_ema20dev": "returns_5d × price_ema20_dev.",
    "ret1d_x_ema200dev": "returns_1d × price_ema200_dev.",
    "ret20d_x_ema200dev": "returns_20d × price_ema200_dev.",
    "mom5d_x_ema20slope": "returns_5d × ema20_slope.",
    "mom20d_x_ema60slope": "returns_20d × ema60_slope.",
    "sharpe_1d": "returns_1d / σ, σ = sample std of returns_1d over the last 20 rows.",
    "sharpe_5d": "returns_5d / (σ·√5).",
    "sharpe_20d": "returns_20d / (σ·√20).",
    "rsi_14": "Wilder's RSI(14) exactly as TA-Lib RSI; NULL before row 15; 50 when no movement.",
    "rsi_2": "Wilder's RSI(2); NULL before row 3.",
    "rsi_delta": "rsi_14_t - rsi_14_{t-1}.",
    "macd_signal": "EMA(m, 9) with m = EMA(C, 12) - EMA(C, 26).",
    "macd_histogram": "m - macd_signal.",
    "bb_pct_b": "Bollinger %b: (C - L) / (U - L), bands mean20(C) ± 2·pop-std20(C); not clipped; NULL until 20 rows or when the bands collapse.",
    "bb_bandwidth": "(U - L) / mean20(C).",
    "volatility_20d": "Sample std of returns_1d over 20 rows × √252 (needs 20 returns).",
    "volatility_60d": "Sample std of returns_1d over 60 rows × √252.",
    "volatility_ratio": "volatility_20d / volatility_60d.",
    "volatility_change": "volatility_20d_t / volatility_20d_{t-1} - 1.",
    "high_vol_flag": "1 if volatility_20d > the 0.8 quantile of the code's volatility_20d over its trailing 252 rows including t, else 0 (0 too when they differ only by float noise, below 1e-12 relative: a repeated volatility ties with its quantile); NULL while volatility_20d is NULL.",
    "low_vol_flag": "1 if volatility_20d < the 0.2 trailing-252 quantile, else 0 (0 too within float noise, as high_vol_flag); NULL while volatility_20d is NULL.",
    "parkinson_vol_20d": "√(mean20(ln(H/L)²) / (4 ln 2)) × √252.",
    "smart_money_index": "foreign_z - individual_z of the stock's Section (weekly investor types, first publication), as known that day: usable from the next trading day after PubDate.",
    "smart_money_change": "smart_money_index - mean of its last 4 weekly values (including this one).",
    "flow_high_flag": "1 if smart_money_index ≥ 2, else 0; NULL without a signal.",
    "flow_low_flag": "1 if smart_money_index ≤ -2, else 0; NULL without a signal.",
    "is_rsi2_valid": "1 when row_idx ≥ 5.",
    "is_ema5_valid": "1 when row_idx ≥ 15.",
    "is_ema10_valid": "1 when row_idx ≥ 30.",
    "is_ema20_valid": "1 when row_idx ≥ 60.",
    "is_ema200_valid": "1 when row_idx ≥ 200.",
    "is_valid_ma": "1 when row_idx ≥ 60.",
    "target_1d": "TARGET: C_{t+1} / C_t - 1 (NULL on the code's last row). Looks forward.",
    "target_5d": "TARGET: C_{t+5} / C_t - 1. Looks forward.",
    "target_10d": "TARGET: C_{t+10} / C_t - 1. Looks forward.",
    "target_20d": "TARGET: C_{t+20} / C_t - 1. Looks forward.",
    "target_1d_binary": "TARGET: 1 if target_1d > 0, 0 if ≤ 0, NULL if target_1d is NULL.",
    "target_5d_binary": "TARGET: 1 if target_5d > 0, 0 if ≤ 0, NULL if NULL.",
    "target_10d_binary": "TARGET: 1 if target_10d > 0, 0 if ≤ 0, NULL if NULL.",
    "atr_14": "Average true range, TA-Lib ATR(14) on adjusted H/L/C (from row 15).",
    "natr_14": "Normalised ATR: atr_14 / C × 100 (TA-Lib NATR).",
    "adx_14": "Average directional index, TA-Lib ADX(14) (from row 28).",
    "plus_di_14": "+DI, TA-Lib PLUS_DI(14) (from row 15).",
    "minus_di_14": "−DI, TA-Lib MINUS_DI(14) (from row 15).",
    "psar": "Parabolic SAR, TA-Lib SAR(acceleration 0.02, maximum 0.2) (from row 2).",
    "stoch_k": "Slow %K, TA-Lib STOCH(14, 3 SMA, 3 SMA) (from row 18).",
    "stoch_d": "Slow %D, TA-Lib STOCH(14, 3, 3) (from row 18).",
    "returns_1d_w": "returns_1d clipped to the 1st/99th percentiles of that date's cross-section (same-day data only).",
    "returns_5d_w": "returns_5d winsorized per date at the 1st/99th percentiles.",
    "returns_10d_w": "returns_10d winsorized per date at the 1st/99th percentiles.",
    "returns_20d_w": "returns_20d winsorized per date at the 1st/99th percentiles.",
    "stmt_yoy_sales": "(Sales − Sales of the same period type one fiscal year earlier) / |that|, from the latest usable earnings release.",
    "stmt_yoy_op": "Year-on-year change of operating profit (same period type).",
    "stmt_yoy_np": "Year-on-year change of net profit (same period type).",
    "stmt_opm": "Operating margin OP / Sales of the latest usable release.",
    "stmt_npm": "Net margin NP / Sales.",
    "stmt_progress_op": "OP / the full-year OP forecast for the same fiscal year, as known that day.",
    "stmt_progress_np": "NP / the full-year NP forecast for the same fiscal year.",
    "stmt_rev_fore_op": "(OP forecast − previous usable OP forecast of the same fiscal year) / |previous|.",
    "stmt_rev_fore_np": "Revision of the NP forecast against the previous one of the same fiscal year.",
    "stmt_rev_fore_eps": "Revision of the EPS forecast against the previous one of the same fiscal year.",
    "stmt_roe": "NP / net assets of the latest usable release.",
    "stmt_roa": "NP / total assets.",
    "stmt_days_since": "Trading days since the latest release became usable (0 on that day).",
    "stmt_impulse": "1 on the day the latest release became usable, else 0.",
    "is_stmt_valid": "1 when a usable release exists.",
    "mkt_ret_1d": "TOPIX close / previous close − 1 (same day).",
    "mkt_ret_5d": "TOPIX 5-day return.",
    "mkt_ret_20d": "TOPIX 20-day return.",
    "mkt_ema_20": "EMA(TOPIX close, 20).",
    "mkt_ema_200": "EMA(TOPIX close, 200).",
    "mkt_vol_20d": "Sample std of mkt_ret_1d over 20 days × √252.",
    "mkt_dd_from_peak": "TOPIX close / running maximum − 1.",
    "beta_60d": "cov60(returns_1d, mkt_ret_1d) / var60(mkt_ret_1d) over the stock's last 60 observations.",
    "alpha_1d": "returns_1d − beta_60d × mkt_ret_1d.",
    "alpha_5d": "returns_5d − beta_60d × mkt_ret_5d.",
    "rel_strength_20d": "returns_20d − mkt_ret_20d.",
    "idio_vol_ratio": "volatility_20d / mkt_vol_20d.",
    "market_regime": "+1 if mkt_ret_20d > 0.05, −1 if < −0.05, else 0; NULL until 20 returns exist.",
    "is_beta_valid": "1 when 60 observations with market returns are available.",
    "sec_ret_1d_eq": "Median returns_1d of the stock's 33-industry sector (as of the date) that day.",
    "sec_ret_5d_eq": "The sector's last 5 daily median returns compounded.",
    "sec_vol_20d": "Sample std of sec_ret_1d_eq over 20 sector days × √252.",
    "rel_to_sec_5d": "returns_5d − sec_ret_5d_eq.",
    "z_in_sec_returns_5d": "(returns_5d − sector mean that day) / sector std that day.",
    "z_in_sec_volatility_20d": "(volatility_20d − sector mean that day) / sector std that day.",
    "sec_member_cnt": "Codes of the sector with an observation that day.",
    "is_sec_valid": "1 when sec_member_cnt ≥ 3.",
    "returns_1d_cs_pct": "Percentile rank (rank − 1)/(N − 1) of returns_1d that day, ties averaged; 0.5 when N = 1.",
    "returns_1d_cs_z": "z-score of returns_1d among all codes that day.",
    "returns_5d_cs_pct": "Percentile rank of returns_5d that day.",
    "returns_5d_cs_z": "z-score of returns_5d that day.",
    "returns_20d_cs_pct": "Percentile rank of returns_20d that day.",
    "returns_20d_cs_z": "z-score of returns_20d that day.",
    "volatility_20d_cs_pct": "Percentile rank of volatility_20d that day.",
    "volatility_20d_cs_z": "z-score of volatility_20d that day.",
    "turnover_value_cs_pct": "Percentile rank of turnover_value that day.",
    "turnover_value_cs_z": "z-score of turnover_value that day.",
    "sector33_code": "The stock's 33-industry code as of the date (point-in-time listing); NULL when unlisted in the master.",
    # window columns of the shared window pass (feature_windows in ml_dataset), consumed by their family
    "close_1_back": "Window column (returns family): the close 1 observation back, lag(C, 1); dropped by `returns_features`.",
    "close_5_back": "Window column (returns family): lag(C, 5).",
    "close_10_back": "Window column (returns family): lag(C, 10).",
    "close_20_back": "Window column (returns family): lag(C, 20).",
    "rsi_14_prev": "Window column (RSI family): the previous observation's RSI(14); dropped by `rsi_features`.",
    "close_mean_20": "Window column (Bollinger family): mean of the last 20 closes (NULL before 20); dropped by `bollinger_features`.",
    "close_pop_std_20": "Window column (Bollinger family): population std of the last 20 closes.",
    "volatility_20d_prev": "Window column (volatility family): the previous observation's volatility_20d; dropped by `volatility_features`.",
    "log_range_sq_mean_20": "Window column (volatility family): mean of ln(H/L)² over the last 20 observations (Parkinson).",
    "ema_5_prev": "Window column (MA-derived family): the previous observation's EMA 5; dropped by `ma_derived_features`.",
    "ema_20_prev": "Window column (MA-derived family): the previous observation's EMA 20.",
    "ema_60_prev": "Window column (MA-derived family): the previous observation's EMA 60.",
    "returns_1d_std_20": "Window column (MA-derived family): sample std of the last 20 one-day returns (C / prev_close − 1), the Sharpe ratios' denominator.",
    "close_1_ahead": "Window column (targets family): the close 1 observation ahead, lead(C, 1); dropped by `target_features`.",
    "close_5_ahead": "Window column (targets family): lead(C, 5).",
    "close_10_ahead": "Window column (targets family): lead(C, 10).",
    "close_20_ahead": "Window column (targets family): lead(C, 20).",
}

MODELS = {
    "models/intermediate/features/_features__models.yml": [
        ("intermediate", "int_features__extended"),
        ("intermediate", "int_features__long_memory"),
        ("intermediate", "int_features__volatility"),
        ("intermediate", "int_features__return_bounds"),
    ],
    "models/marts/_marts__models.yml": [("main", "ml_dataset"), ("main", "ml_dataset_enriched")],
    "models/intermediate/enrichment/_enrichment__models.yml": [
        ("intermediate", "int_enrichment__sector"),
        ("intermediate", "int_enrichment__beta"),
        ("intermediate", "int_enrichment__blocks"),
    ],
}


def main(db: str) -> None:
    con = duckdb.connect(db, read_only=True)
    docs = ["{# Generated by scripts/gen_feature_docs.py: one block per feature-store column. #}\n"]
    for name, text in COLUMNS.items():
        docs.append(f"{{% docs col_{name} %}}\n{text}\n{{% enddocs %}}\n")
    (ROOT / "models/intermediate/features/_features__docs.md").write_text("\n".join(docs))
    for path, models in MODELS.items():
        doc = yaml.safe_load((ROOT / path).read_text())
        by_name = {m["name"]: m for m in doc["models"]}
        for schema, model in models:
            typed = con.execute(
                "select column_name, data_type from information_schema.columns where table_schema = ? and table_name = ? order by ordinal_position",
                [schema, model],
            ).fetchall()
            cols = [c for c, _ in typed]
            types = {c: t.lower() for c, t in typed}
            missing = [c for c in cols if c not in COLUMNS]
            if missing:
                sys.exit(f"{model}: no description for {missing}")
            existing = {c["name"]: c for c in by_name[model].get("columns", [])}
            contract = by_name[model].get("config", {}).get("contract", {}).get("enforced", False)
            by_name[model]["columns"] = [
                {
                    "name": c,
                    **({"data_type": types[c]} if contract else {}),
                    "description": f'{{{{ doc("col_{c}") }}}}',
                    **{k: v for k, v in existing.get(c, {}).items() if k not in ("name", "description", "data_type")},
                }
                for c in cols
            ]
        (ROOT / path).write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=120))


if __name__ == "__main__":
    main(sys.argv[1])
