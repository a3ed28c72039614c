"""Kernels of the extended indicators (ATR, NATR, ±DI, ADX, Parabolic SAR, Stochastic) for the dbt
Python model int_features__extended: recursive state machines that are awkward in SQL, computed
for the whole market in one compiled pass over the rows sorted by (code, date), resetting state at
each code. Each kernel follows TA-Lib's C implementation (same seeds, same lookbacks), so values
equal TA-Lib's from its first output on; earlier rows are NULL. The recursive kernels also return
their state after each row and can start a code from a stored state instead, which is how a daily
run continues them (ATR, ±DI/ADX, SAR); STOCH only reads its last 17 rows.

A module of the package rather than code inside the model so numba can cache the compiled
kernels on disk (`cache=True`): a model's code has no file to cache against, and compiling them
costs about 2.5 s on every `dbt run`. The kernels are plain Python functions, compiled on first
use by a large input; a daily run's few thousand rows go through them interpreted (see
COMPILE_FROM_ROWS).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import cache, wraps

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

PERIOD = 14
INDICATORS = ("atr_14", "natr_14", "adx_14", "plus_di_14", "minus_di_14", "psar", "stoch_k", "stoch_d")
# what a daily run needs, besides atr_14 and adx_14, to continue a code from its last row
STATE = (
    "state_dmi_plus_dm",
    "state_dmi_minus_dm",
    "state_dmi_tr",
    "state_sar",
    "state_sar_ep",
    "state_sar_af",
    "state_sar_is_long",
)
# the columns of a code's last stored row that a daily run continues from
CARRIED = ("atr_14", "adx_14", *STATE)
# rows before a row that its STOCH reads (TA-Lib's lookback: fast %K 14, slow %K 3, slow %D 3)
STOCH_LOOKBACK = (14 - 1) + (3 - 1) + (3 - 1)
# From this many rows to compute on, the kernels run compiled. Below it (a daily run: ~3,800 codes
# continued by a row or two, read with the 17 rows STOCH needs: ~69k rows) they run interpreted,
# which takes less time (≈ 0.08 s) than importing numba and loading its cached machine code
# (≈ 0.26 s alone, twice that beside the run's other models). Both give the same bits: no
# fast-math, the same operations in the same order.
COMPILE_FROM_ROWS = 100_000


def true_range(high, low, previous_close):
    """Wilder's true range; called by the kernels (compiled into them with numba, see compiled_kernels)."""
    return max(high - low, abs(high - previous_close), abs(low - previous_close))


def atr_kernel(high, low, close, starts, ends, n, carry_at, carry_atr):
    """TA-Lib ATR: Wilder mean of the true range, seeded with the mean of the first n ranges.
    A code with carry_at >= 0 continues from its row carry_at, whose ATR is carry_atr."""
    out = np.full(len(high), np.nan)
    for i in range(len(starts)):
        s, e = starts[i], ends[i]
        if carry_at[i] >= 0:
            first, atr = carry_at[i] + 1, carry_atr[i]
        else:
            if e - s <= n:
                continue
            acc = 0.0
            for t in range(s + 1, s + n + 1):
                acc += true_range(high[t], low[t], close[t - 1])
            atr = acc / n
            out[s + n] = atr
            first = s + n + 1
        for t in range(first, e):
            atr = (atr * (n - 1) + true_range(high[t], low[t], close[t - 1])) / n
            out[t] = atr
    return out


def dmi_kernel(high, low, close, starts, ends, n, carry_at, carry_state):
    """TA-Lib PLUS_DI, MINUS_DI and ADX (Wilder sums seeded over the first n - 1 moves), and the
    state after each row (+DM, -DM and TR sums). A code with carry_at >= 0 continues from its row
    carry_at with carry_state = (+DM sum, -DM sum, TR sum, ADX) — past ADX's warm-up."""
    m = len(high)
    plus_di, minus_di, adx = np.full(m, np.nan), np.full(m, np.nan), np.full(m, np.nan)
    sums = np.full((m, 3), np.nan)
    for i in range(len(starts)):
        s, e = starts[i], ends[i]
        sum_dx = 0.0
        adx_value = np.nan
        if carry_at[i] >= 0:
            first = carry_at[i] + 1
            p_dm, m_dm, tr, adx_value = carry_state[i, 0], carry_state[i, 1], carry_state[i, 2], carry_state[i, 3]
            warm = False
        else:
            if e - s <= n:
                continue
            p_dm = 0.0
            m_dm = 0.0
            tr = 0.0
            for t in range(s + 1, s + n):  # the first n - 1 moves
                up, down = high[t] - high[t - 1], low[t - 1] - low[t]
                if up > 0 and up > down:
                    p_dm += up
                elif down > 0 and down > up:
                    m_dm += down
                tr += true_range(high[t], low[t], close[t - 1])
            first = s + n
            warm = True
        for t in range(first, e):
            up, down = high[t] - high[t - 1], low[t - 1] - low[t]
            p_dm -= p_dm / n
            m_dm -= m_dm / n
            if up > 0 and up > down:
                p_dm += up
            elif down > 0 and down > up:
                m_dm += down
            tr = tr - tr / n + true_range(high[t], low[t], close[t - 1])
            sums[t, 0], sums[t, 1], sums[t, 2] = p_dm, m_dm, tr
            if tr != 0.0:  # ratios before × 100, so that no value rounds above 100
                pdi, mdi = 100.0 * (p_dm / tr), 100.0 * (m_dm / tr)
            else:
                pdi, mdi = 0.0, 0.0
            plus_di[t], minus_di[t] = pdi, mdi
            valid = tr != 0.0 and pdi + mdi != 0.0
            dx = 100.0 * (abs(mdi - pdi) / (pdi + mdi)) if valid else 0.0
            k = t - s  # row within the code, 0-based: DI from k = n, ADX from k = 2n - 1
            if warm and k <= 2 * n - 1:
                if valid:
                    sum_dx += dx
                if k == 2 * n - 1:
                    adx_value = sum_dx / n
                    adx[t] = adx_value
            else:
                if valid:
                    adx_value = (adx_value * (n - 1) + dx) / n
                adx[t] = adx_value
    return plus_di, minus_di, adx, sums


def sar_kernel(high, low, starts, ends, acceleration, maximum, carry_at, carry_state):
    """TA-Lib SAR (Wilder's Parabolic SAR); the first value is on the second row of a code. Also
    returns the machine's state after each row: (next SAR, extreme point, acceleration, 1 if long).
    A code with carry_at >= 0 continues from its row carry_at with that state in carry_state."""
    m = len(high)
    out = np.full(m, np.nan)
    state = np.full((m, 4), np.nan)
    for i in range(len(starts)):
        s, e = starts[i], ends[i]
        if carry_at[i] >= 0:
            c = carry_at[i]
            sar, ep, af, is_long = carry_state[i, 0], carry_state[i, 1], carry_state[i, 2], carry_state[i, 3] == 1.0
            new_low, new_high = low[c], high[c]
            first = c + 1
        else:
            if e - s < 2:
                continue
            up, down = high[s + 1] - high[s], low[s] - low[s + 1]
            minus_dm = down if (down > 0 and up < down) else 0.0
            is_long = not (minus_dm > 0)
            af = acceleration
            if is_long:
                ep, sar = high[s + 1], low[s]
            else:
                ep, sar = low[s + 1], high[s]
            new_low, new_high = low[s + 1], high[s + 1]
            first = s + 1
        for t in range(first, e):
            prev_low, prev_high = new_low, new_high
            new_low, new_high = low[t], high[t]
            if is_long:
                if new_low <= sar:
                    is_long = False
                    sar = max(ep, prev_high, new_high)
                    out[t] = sar
                    af = acceleration
                    ep = new_low
                    sar = max(sar + af * (ep - sar), prev_high, new_high)
                else:
                    out[t] = sar
                    if new_high > ep:
                        ep = new_high
                        af = min(af + acceleration, maximum)
                    sar = min(sar + af * (ep - sar), prev_low, new_low)
            else:
                if new_high >= sar:
                    is_long = True
                    sar = min(ep, prev_low, new_low)
                    out[t] = sar
                    af = acceleration
                    ep = new_high
                    sar = min(sar + af * (ep - sar), prev_low, new_low)
                else:
                    out[t] = sar
                    if new_low < ep:
                        ep = new_low
                        af = min(af + acceleration, maximum)
                    sar = max(sar + af * (ep - sar), prev_high, new_high)
            state[t, 0], state[t, 1], state[t, 2], state[t, 3] = sar, ep, af, 1.0 if is_long else 0.0
    return out, state


def stoch_kernel(high, low, close, starts, ends, k_period, slow_k, slow_d):
    """TA-Lib STOCH with SMA smoothing: fast %K over k_period rows, slow %K = SMA(fast %K, slow_k),
    slow %D = SMA(slow %K, slow_d); both output from TA-Lib's lookback on."""
    m = len(high)
    out_k, out_d = np.full(m, np.nan), np.full(m, np.nan)
    fast = np.full(m, np.nan)
    slow = np.full(m, np.nan)
    lookback = k_period - 1 + slow_k - 1 + slow_d - 1
    for s, e in zip(starts, ends):
        for t in range(s + k_period - 1, e):
            hh, ll = high[t], low[t]
            for j in range(t - k_period + 1, t):
                hh = max(hh, high[j])
                ll = min(ll, low[j])
            fast[t] = 100.0 * ((close[t] - ll) / (hh - ll)) if hh - ll != 0.0 else 0.0  # ≤ 100 exactly
        for t in range(s + k_period + slow_k - 2, e):
            acc = 0.0
            for j in range(t - slow_k + 1, t + 1):
                acc += fast[j]
            slow[t] = acc / slow_k
        for t in range(s + lookback, e):
            acc = 0.0
            for j in range(t - slow_d + 1, t + 1):
                acc += slow[j]
            out_k[t] = slow[t]
            out_d[t] = acc / slow_d
    return out_k, out_d


def stoch_vectorized(high, low, close, starts, ends, k_period, slow_k, slow_d):
    """stoch_kernel's arithmetic in NumPy over every row at once, for the interpreted runs (its loop
    over 14-row windows is most of their time): per row the same operations in the same order, so
    the same bits. For NaN-free highs and lows only (a NaN makes a window's max depend on where it
    is): kernels_for checks."""
    m = len(high)
    out_k, out_d = np.full(m, np.nan), np.full(m, np.nan)
    if m < k_period:
        return out_k, out_d
    position = np.arange(m) - np.repeat(starts, ends - starts)  # row within its code
    window = np.lib.stride_tricks.sliding_window_view
    hh, ll = np.full(m, np.nan), np.full(m, np.nan)
    hh[k_period - 1 :] = window(high, k_period).max(axis=1)
    ll[k_period - 1 :] = window(low, k_period).min(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        fast = np.where(hh - ll != 0.0, 100.0 * ((close - ll) / (hh - ll)), 0.0)
    fast[position < k_period - 1] = np.nan

    def trailing_mean(x: np.ndarray, n: int) -> np.ndarray:  # acc = 0; acc += x[t - n + 1] … x[t]; acc / n
        acc = np.zeros(m)
        for back in range(n - 1, -1, -1):
            acc[back:] += x[: m - back]
        return acc / n

    slow = trailing_mean(fast, slow_k)
    slow[position < k_period + slow_k - 2] = np.nan
    lookback = k_period - 1 + slow_k - 1 + slow_d - 1
    out = position >= lookback
    out_k[out] = slow[out]
    out_d[out] = trailing_mean(slow, slow_d)[out]
    return out_k, out_d


KERNELS = (atr_kernel, dmi_kernel, sar_kernel, stoch_kernel)


@cache
def compiled_kernels() -> dict[str, Callable]:
    """The kernels compiled by numba (imported here, on first need), by name."""
    import numba
    from numba.extending import register_jitable

    register_jitable(true_range)  # the kernels' helper, compiled into them where they call it
    compile_ = numba.njit(cache=True, nogil=True)
    return {kernel.__name__: compile_(kernel) for kernel in KERNELS}


def _on_lists(kernel: Callable) -> Callable:
    """``kernel`` interpreted, its 1-D array arguments passed as lists: Python indexes a list and
    computes on its floats faster than on numpy scalars (the same IEEE operations: the same bits)."""

    @wraps(kernel)
    def run(*args: object) -> object:
        return kernel(*(a.tolist() if isinstance(a, np.ndarray) and a.ndim == 1 else a for a in args))

    return run


def kernels_for(rows: int, nan_free: bool = True) -> dict[str, Callable]:
    """The kernels to run over ``rows`` rows: compiled from COMPILE_FROM_ROWS on, else interpreted
    (STOCH vectorized when the highs and lows are ``nan_free``)."""
    if rows >= COMPILE_FROM_ROWS:
        return compiled_kernels()
    kernels = {kernel.__name__: _on_lists(kernel) for kernel in KERNELS}
    if nan_free:
        kernels["stoch_kernel"] = stoch_vectorized
    return kernels


def code_bounds(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) row of each code in an array sorted by code."""
    change = np.ones(len(codes), dtype=bool)
    change[1:] = codes[1:] != codes[:-1]
    starts = np.flatnonzero(change)
    ends = np.append(starts[1:], len(codes))
    return starts.astype(np.int64), ends.astype(np.int64)


def _numpy(column: pa.Array | pa.ChunkedArray, dtype: type[np.number]) -> np.ndarray:
    """A numeric column as a read-only numpy array of ``dtype``, NULL as NaN (floats only).

    Built from the Arrow buffers: pyarrow's own ``to_numpy()`` and ``pa.array(ndarray)`` import
    pandas on first use, 0.2 s of a daily run's critical path that nothing here needs."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    array = array.cast(pa.from_numpy_dtype(np.dtype(dtype)))
    values = np.frombuffer(
        array.buffers()[1], dtype=dtype, count=len(array), offset=array.offset * np.dtype(dtype).itemsize
    )
    if array.null_count:
        if not np.issubdtype(dtype, np.floating):
            raise ValueError(f"unexpected NULLs in an integer column of {len(array)} rows")
        valid = np.unpackbits(
            np.frombuffer(array.buffers()[0], dtype=np.uint8), count=array.offset + len(array), bitorder="little"
        )[array.offset :].astype(bool)
        values = np.where(valid, values, np.nan)
    return values


def _arrow(values: np.ndarray) -> pa.Array:
    """A float64 or int64 numpy array as an Arrow array (zero copy when contiguous), NaN as NULL."""
    values = np.ascontiguousarray(values)
    validity = None
    if values.dtype.kind == "f":
        missing = np.isnan(values)
        if missing.any():
            validity = pa.py_buffer(np.packbits(~missing, bitorder="little"))
    return pa.Array.from_buffers(pa.from_numpy_dtype(values.dtype), len(values), [validity, pa.py_buffer(values)])


def compute_extended(table: pa.Table, carried: pa.Table | None = None) -> pa.Table:
    """``table``: code, date, row_idx, high, low, close sorted by (code, row_idx). Returns code,
    date, row_idx, close, the indicators and the state columns (STATE) for every row.

    ``carried`` (optional): one row per code to continue rather than start — its row_idx (a row
    of ``table``, the code's last stored row, with at least the 17 rows before it for STOCH) and
    that row's CARRIED columns. Such a code's rows up to that one are left out: only the rows
    after it come out, in ``table``'s order."""
    # codes as dictionary ids: finding the boundaries on integers instead of 4.4M Python strings
    # (0.6 s of a full refresh)
    encoded = table.column("code").combine_chunks().dictionary_encode()
    code_ids = _numpy(encoded.indices, np.int64)
    code_names = encoded.dictionary.to_pylist()
    row_idx = _numpy(table.column("row_idx"), np.int64)
    high, low, close = (_numpy(table.column(c), np.float64) for c in ("high", "low", "close"))
    starts, ends = code_bounds(code_ids)
    carry_at = np.full(len(starts), -1, dtype=np.int64)
    carry = {c: np.full(len(starts), np.nan) for c in CARRIED}  # per code, NaN where it starts afresh
    if carried is not None and carried.num_rows:
        by_code = {code: i for i, code in enumerate(carried.column("code").to_pylist())}
        carried_rows = _numpy(carried.column("row_idx"), np.int64)
        values = {c: _numpy(carried.column(c), np.float64) for c in CARRIED}
        for i, start in enumerate(starts):
            j = by_code.get(code_names[code_ids[start]])
            if j is not None:
                carry_at[i] = start + (carried_rows[j] - row_idx[start])
                for c in CARRIED:
                    carry[c][i] = values[c][j]

    def state_of(*names: str) -> np.ndarray:
        return np.column_stack([carry[c] for c in names])

    kernel = kernels_for(len(code_ids), nan_free=not (np.isnan(high).any() or np.isnan(low).any()))
    atr = kernel["atr_kernel"](high, low, close, starts, ends, PERIOD, carry_at, carry["atr_14"])
    plus_di, minus_di, adx, dmi_sums = kernel["dmi_kernel"](
        high,
        low,
        close,
        starts,
        ends,
        PERIOD,
        carry_at,
        state_of("state_dmi_plus_dm", "state_dmi_minus_dm", "state_dmi_tr", "adx_14"),
    )
    psar, sar_state = kernel["sar_kernel"](
        high,
        low,
        starts,
        ends,
        0.02,
        0.2,
        carry_at,
        state_of("state_sar", "state_sar_ep", "state_sar_af", "state_sar_is_long"),
    )
    stoch_k, stoch_d = kernel["stoch_kernel"](high, low, close, starts, ends, 14, 3, 3)
    with np.errstate(divide="ignore", invalid="ignore"):
        natr = np.where(close != 0, atr / close * 100.0, np.nan)
    outputs = dict(
        zip(
            (*INDICATORS, *STATE),
            (
                atr,
                natr,
                adx,
                plus_di,
                minus_di,
                psar,
                stoch_k,
                stoch_d,
                dmi_sums[:, 0],
                dmi_sums[:, 1],
                dmi_sums[:, 2],
                sar_state[:, 0],
                sar_state[:, 1],
                sar_state[:, 2],
                sar_state[:, 3],
            ),
        )
    )
    del atr, natr, adx, plus_di, minus_di, psar, stoch_k, stoch_d, dmi_sums, sar_state

    # the rows that come out (None: all)
    first_out = np.where(carry_at >= 0, carry_at + 1, starts)
    rows = (
        None
        if (carry_at < 0).all()
        else np.flatnonzero(np.arange(len(code_ids)) >= np.repeat(first_out, ends - starts))
    )
    taken = None if rows is None else _arrow(rows)
    arrays = [
        table.column(c) if taken is None else table.column(c).take(taken) for c in ("code", "date", "row_idx", "close")
    ]
    for name in (*INDICATORS, *STATE):  # one column at a time: a copy of all would add to the peak
        values = outputs.pop(name)
        arrays.append(_arrow(values if rows is None else values[rows]))
        del values
    return pa.Table.from_arrays(arrays, names=["code", "date", "row_idx", "close", *INDICATORS, *STATE])


# Rows per chunk of whole codes that compute_extended_in_chunks computes at a time.
CHUNK_ROWS = 250_000


def chunks_of_whole_codes(batches: Iterable[pa.RecordBatch], chunk_rows: int) -> Iterator[pa.Table]:
    """Tables of whole codes, about ``chunk_rows`` rows each (more when one code has more), from
    record batches sorted by code."""
    pending: list[pa.RecordBatch] = []
    held = 0
    for batch in batches:
        pending.append(batch)
        held += batch.num_rows
        if held < chunk_rows:
            continue
        table = pa.Table.from_batches(pending)
        codes = table.column("code")
        # the first row of the last code, which may continue in the next batch (sorted: its rows end the table)
        cut = table.num_rows - pc.sum(pc.equal(codes, codes[-1])).as_py()
        if cut == 0:  # one code so far: wait for more rows
            continue
        yield table.slice(0, cut)
        pending = table.slice(cut).to_batches()
        held = table.num_rows - cut
    if held:
        yield pa.Table.from_batches(pending)


def compute_extended_in_chunks(batches: Iterable[pa.RecordBatch], chunk_rows: int = CHUNK_ROWS) -> pa.RecordBatchReader:
    """compute_extended over a stream of observations (code, date, row_idx, high, low, close sorted
    by (code, row_idx); every code from its first row), as a stream of record batches computed one
    chunk of whole codes at a time: a caller that streams in and out (DuckDB reading the
    observations and writing the table) holds one chunk instead of the whole market, whose results
    alone are 2 GB at 20 years (17.7M rows)."""
    chunks = (compute_extended(chunk) for chunk in chunks_of_whole_codes(batches, chunk_rows))
    first = next(chunks)

    def results() -> Iterator[pa.RecordBatch]:
        yield from first.to_batches()
        for chunk in chunks:
            yield from chunk.to_batches()

    return pa.RecordBatchReader.from_batches(first.schema, results())
