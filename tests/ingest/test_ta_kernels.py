"""The extended-indicator kernels stay inside their ranges to the last bit (ratios are taken before
× 100: 100 · x / x can round to 100.00000000000001), and a daily run's continuation from a stored
state gives the same numbers as one pass over the whole history."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ingest.ta_kernels import CARRIED, INDICATORS, STATE, STOCH_LOOKBACK, compute_extended


def market(n: int = 3000, codes: int = 3, seed: int = 7) -> pa.Table:
    """A market that gaps up every day and closes at its high: each day's high is the highest of the
    window (%K = 100 · x / x) and its true range is its up-move (+DI = 100 · x / x)."""
    rng = np.random.default_rng(seed)
    high = 100 + np.cumsum(rng.uniform(5.1, 10, (codes, n)), axis=1).ravel()
    low = high - rng.uniform(0.01, 5, n * codes)
    close = high
    start = date(2010, 1, 4)
    return pa.table({
        "code": np.repeat([f"{1000 + i}0" for i in range(codes)], n),
        "date": [start + timedelta(days=i) for i in range(n)] * codes,
        "row_idx": np.tile(np.arange(1, n + 1, dtype=np.int32), codes),
        "high": high, "low": low, "close": close,
    })


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
    continued = compute_extended(recent, carried).filter(pc.greater(recent.column("row_idx"), cut))
    expected = whole.filter(pc.greater(whole.column("row_idx"), cut))
    assert continued.num_rows == expected.num_rows == 3 * 500
    for column in (*INDICATORS, *STATE):
        assert continued.column(column).equals(expected.column(column)), column
