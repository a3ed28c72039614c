"""Kernels of the extended indicators (ATR, NATR, ±DI, ADX, Parabolic SAR, Stochastic) for the dbt
Python model int_features__extended: recursive state machines that are awkward in SQL, computed
for the whole market in one compiled pass over the rows sorted by (code, date), resetting state at
each code. Each kernel follows TA-Lib's C implementation (same seeds, same lookbacks), so values
equal TA-Lib's from its first output on; earlier rows are NULL.

A module of the package rather than code inside the model so numba can cache the compiled
kernels on disk (`cache=True`): a model's code has no file to cache against, and compiling them
costs about 2.5 s on every `dbt run`.
"""

from __future__ import annotations

import numba
import numpy as np
import pyarrow as pa

PERIOD = 14


@numba.njit(cache=True)
def _true_range(h, l, pc):
    return max(h - l, abs(h - pc), abs(l - pc))


@numba.njit(cache=True)
def atr_kernel(high, low, close, starts, ends, n):
    """TA-Lib ATR: Wilder mean of the true range, seeded with the mean of the first n ranges."""
    out = np.full(high.shape[0], np.nan)
    for s, e in zip(starts, ends):
        if e - s <= n:
            continue
        acc = 0.0
        for t in range(s + 1, s + n + 1):
            acc += _true_range(high[t], low[t], close[t - 1])
        atr = acc / n
        out[s + n] = atr
        for t in range(s + n + 1, e):
            atr = (atr * (n - 1) + _true_range(high[t], low[t], close[t - 1])) / n
            out[t] = atr
    return out


@numba.njit(cache=True)
def dmi_kernel(high, low, close, starts, ends, n):
    """TA-Lib PLUS_DI, MINUS_DI and ADX (Wilder sums seeded over the first n - 1 moves)."""
    m = high.shape[0]
    plus_di, minus_di, adx = np.full(m, np.nan), np.full(m, np.nan), np.full(m, np.nan)
    for s, e in zip(starts, ends):
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
            tr += _true_range(high[t], low[t], close[t - 1])
        sum_dx = 0.0
        adx_value = np.nan
        for t in range(s + n, e):
            up, down = high[t] - high[t - 1], low[t - 1] - low[t]
            p_dm -= p_dm / n
            m_dm -= m_dm / n
            if up > 0 and up > down:
                p_dm += up
            elif down > 0 and down > up:
                m_dm += down
            tr = tr - tr / n + _true_range(high[t], low[t], close[t - 1])
            if tr != 0.0:
                pdi, mdi = 100.0 * p_dm / tr, 100.0 * m_dm / tr
            else:
                pdi, mdi = 0.0, 0.0
            plus_di[t], minus_di[t] = pdi, mdi
            k = t - s  # row within the code, 0-based: DI from k = n, ADX from k = 2n - 1
            valid = tr != 0.0 and pdi + mdi != 0.0
            dx = 100.0 * abs(mdi - pdi) / (pdi + mdi) if valid else 0.0
            if k <= 2 * n - 1:
                if valid:
                    sum_dx += dx
                if k == 2 * n - 1:
                    adx_value = sum_dx / n
                    adx[t] = adx_value
            else:
                if valid:
                    adx_value = (adx_value * (n - 1) + dx) / n
                adx[t] = adx_value
    return plus_di, minus_di, adx


@numba.njit(cache=True)
def sar_kernel(high, low, starts, ends, acceleration, maximum):
    """TA-Lib SAR (Wilder's Parabolic SAR); the first value is on the second row of a code."""
    out = np.full(high.shape[0], np.nan)
    for s, e in zip(starts, ends):
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
        for t in range(s + 1, e):
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
    return out


@numba.njit(cache=True)
def stoch_kernel(high, low, close, starts, ends, k_period, slow_k, slow_d):
    """TA-Lib STOCH with SMA smoothing: fast %K over k_period rows, slow %K = SMA(fast %K, slow_k),
    slow %D = SMA(slow %K, slow_d); both output from TA-Lib's lookback on."""
    m = high.shape[0]
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
            fast[t] = 100.0 * (close[t] - ll) / (hh - ll) if hh - ll != 0.0 else 0.0
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


def code_bounds(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) row of each code in an array sorted by code."""
    change = np.ones(len(codes), dtype=bool)
    change[1:] = codes[1:] != codes[:-1]
    starts = np.flatnonzero(change)
    ends = np.append(starts[1:], len(codes))
    return starts.astype(np.int64), ends.astype(np.int64)


def compute_extended(table: pa.Table) -> pa.Table:
    """``table``: code, date, high, low, close sorted by (code, date). Returns code, date + indicators."""
    codes = table.column("code").to_numpy(zero_copy_only=False)
    high = table.column("high").to_numpy().astype(np.float64)
    low = table.column("low").to_numpy().astype(np.float64)
    close = table.column("close").to_numpy().astype(np.float64)
    starts, ends = code_bounds(codes)
    atr = atr_kernel(high, low, close, starts, ends, PERIOD)
    plus_di, minus_di, adx = dmi_kernel(high, low, close, starts, ends, PERIOD)
    psar = sar_kernel(high, low, starts, ends, 0.02, 0.2)
    stoch_k, stoch_d = stoch_kernel(high, low, close, starts, ends, 14, 3, 3)
    with np.errstate(divide="ignore", invalid="ignore"):
        natr = np.where(close != 0, atr / close * 100.0, np.nan)
    columns = {"atr_14": atr, "natr_14": natr, "adx_14": adx, "plus_di_14": plus_di, "minus_di_14": minus_di,
               "psar": psar, "stoch_k": stoch_k, "stoch_d": stoch_d}
    arrays = [table.column("code"), table.column("date")]
    arrays += [pa.array(v, type=pa.float64(), from_pandas=True) for v in columns.values()]  # NaN → NULL
    return pa.Table.from_arrays(arrays, names=["code", "date", *columns])
