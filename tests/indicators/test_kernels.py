"""The extended-indicator kernels stay inside their ranges to the last bit (ratios are taken before
× 100: 100 · x / x can round to 100.00000000000001), and a daily run's continuation from a stored
state gives the same numbers as one pass over the whole history, compiled (a full refresh) or
interpreted (a daily run's few rows) alike."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from gogooku3.indicators import kernels
from gogooku3.indicators.kernels import (
    CARRIED,
    INDICATORS,
    STATE,
    STOCH_LOOKBACK,
    chunks_of_whole_codes,
    compute_extended,
    compute_extended_in_chunks,
)

ROOT = Path(__file__).resolve().parents[2]


def market(n: int = 3000, codes: int = 3, seed: int = 7) -> pa.Table:
    """A market that gaps up every day and closes at its high: each day's high is the highest of the
    window (%K = 100 · x / x) and its true range is its up-move (+DI = 100 · x / x)."""
    rng = np.random.default_rng(seed)
    high = 100 + np.cumsum(rng.uniform(5.1, 10, (codes, n)), axis=1).ravel()
    low = high - rng.uniform(0.01, 5, n * codes)
    close = high
    start = date(2010, 1, 4)
    return pa.table(
        {
            "code": np.repeat([f"{1000 + i}0" for i in range(codes)], n),
            "date": [start + timedelta(days=i) for i in range(n)] * codes,
            "row_idx": np.tile(np.arange(1, n + 1, dtype=np.int32), codes),
            "high": high,
            "low": low,
            "close": close,
        }
    )


def test_bounded_indicators_never_round_past_their_range():
    out = compute_extended(market())
    for column in ("stoch_k", "stoch_d", "plus_di_14", "minus_di_14", "adx_14"):
        values = out.column(column).drop_null().to_numpy()
        assert len(values) > 8000
        assert values.min() >= 0.0 and values.max() <= 100.0, column


def test_continuing_from_a_stored_state_equals_one_pass():
    table = market()
    whole = compute_extended(table)
    cut = 2500  # stored rows per code; the rest arrive "daily"
    last = whole.filter(pc.equal(whole.column("row_idx"), cut))
    carried = last.select(["code", "row_idx", *CARRIED])
    recent = table.filter(pc.greater(table.column("row_idx"), cut - STOCH_LOOKBACK))
    continued = compute_extended(recent, carried)  # only the rows after each carried row come out
    expected = whole.filter(pc.greater(whole.column("row_idx"), cut))
    assert continued.num_rows == expected.num_rows == 3 * 500
    for column in (*INDICATORS, *STATE):
        assert continued.column(column).equals(expected.column(column)), column


def random_walk(n: int = 2000, codes: int = 4, seed: int = 11, missing_high: bool = False) -> pa.Table:
    """Codes that trend, reverse (SAR flips) and stand still (flat bars: zero true range; one
    30-bar flat stretch: a 14-bar window with no range, %K 0). ``missing_high``: one high is NaN."""
    rng = np.random.default_rng(seed)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.02, (codes, n)), axis=1))
    close[0, 500:530] = close[0, 500]
    flat = rng.random((codes, n)) < 0.05
    flat[0, 500:530] = True
    high = np.where(flat, close, close * (1 + rng.uniform(0, 0.03, (codes, n))))
    low = np.where(flat, close, close * (1 - rng.uniform(0, 0.03, (codes, n))))
    if missing_high:
        high[1, 1900] = np.nan
    start = date(2010, 1, 4)
    return pa.table(
        {
            "code": np.repeat([f"{2000 + i}0" for i in range(codes)], n),
            "date": [start + timedelta(days=i) for i in range(n)] * codes,
            "row_idx": np.tile(np.arange(1, n + 1, dtype=np.int32), codes),
            "high": high.ravel(),
            "low": low.ravel(),
            "close": close.ravel(),
        }
    )


@pytest.mark.parametrize(
    "table",
    [random_walk(), market(n=2000, codes=2), random_walk(missing_high=True)],
    ids=["random walk", "gap-up market", "a missing high"],
)
def test_interpreted_kernels_give_the_compiled_bits(table, monkeypatch):
    cut = 1800
    runs = {}
    for mode, threshold in (("compiled", 0), ("interpreted", 10**12)):
        monkeypatch.setattr(kernels, "COMPILE_FROM_ROWS", threshold)
        whole = compute_extended(table)
        carried = whole.filter(pc.equal(whole.column("row_idx"), cut)).select(["code", "row_idx", *CARRIED])
        continued = compute_extended(table.filter(pc.greater(table.column("row_idx"), cut - STOCH_LOOKBACK)), carried)
        runs[mode] = (whole, continued)
    assert "numba" in sys.modules  # the compiled run did compile
    for compiled, interpreted in zip(runs["compiled"], runs["interpreted"], strict=True):
        assert compiled.num_rows == interpreted.num_rows > 0
        for column in (*INDICATORS, *STATE):
            assert compiled.column(column).equals(interpreted.column(column)), column


def test_chunks_of_whole_codes_give_the_whole_market_result():
    """The full refresh's stream: 30-row batches of 40-row codes, cut into chunks of whole codes
    (once ≥ 70 rows are read: the codes before the last one), together the same rows and bits as one call
    over the whole table."""
    table = market(n=40, codes=5)
    chunks = list(chunks_of_whole_codes(table.to_batches(max_chunksize=30), chunk_rows=70))
    assert [c.num_rows for c in chunks] == [80, 40, 40, 40]
    assert all(len(set(c.column("code").to_pylist())) == c.num_rows // 40 for c in chunks)
    reader = compute_extended_in_chunks(table.to_batches(max_chunksize=30), chunk_rows=70)
    assert reader.read_all().equals(compute_extended(table))


NO_PANDAS_RUN = """
import sys
import duckdb
from gogooku3.indicators.kernels import CARRIED, compute_extended

con = duckdb.connect()
table = con.sql('''
    select (1000 + c) * 10 || '' as code, date '2020-01-01' + r::int as date, r::int as row_idx,
           100 + sin(r + c) + r / 10 as high, 98 + sin(r + c) + r / 10 as low, 99 + cos(r * c) + r / 10 as close
    from range(3) as t(c), range(1, 51) as u(r) order by code, row_idx
''').to_arrow_table()
whole = con.from_arrow(compute_extended(table))
carried = whole.filter("row_idx = 40").select(", ".join(["code", "row_idx", *CARRIED])).to_arrow_table()
continued = compute_extended(table, carried)
assert continued.num_rows == 30, continued.num_rows
assert con.from_arrow(continued).except_(whole.filter("row_idx > 40")).fetchall() == []
print("pandas" in sys.modules)
"""


def test_no_pandas_import_on_the_way():
    """pyarrow's to_numpy() and pa.array(ndarray) import pandas on first use: 0.2 s of every daily
    dbt run, for nothing. compute_extended builds its arrays from the Arrow buffers instead."""
    result = subprocess.run(
        [sys.executable, "-c", NO_PANDAS_RUN], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
