"""Extended indicators (ATR, NATR, ±DI, ADX, Parabolic SAR, Stochastic) for the whole market in
one compiled pass: the TA-Lib-exact kernels live in ingest/ta_kernels.py (cached by numba)."""

from ingest.ta_kernels import compute_extended


def model(dbt, session):
    dbt.config(materialized="table")
    observations = dbt.ref("int_price_observations")
    table = observations.order("code, row_idx").select("code, date, high, low, close").to_arrow_table()
    return compute_extended(table)
