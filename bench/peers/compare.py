"""Do a peer's features agree with ml_dataset? Same tolerances as the parity tests (issue #5):
EMAs, returns and targets within 1e-9 relative, everything else within 1e-6 (with the parity
tests' absolute floors for values that are differences of price-sized numbers, such as MACD), the
same NULL pattern, and the same (code, date) rows.

Allowed: at most 1 row in 100,000 of a column outside its tolerance. Those are knife-edge rows,
not formula differences: a 0/1 flag where its two sides agree to 1e-15 (ema_20 = ema_60 to the
last bit, a volatility equal to its trailing quantile), or %b on a window whose prices are almost
flat (the band width is then a difference of nearly equal sums, computed differently by each tool).

    python bench/peers/compare.py WAREHOUSE.duckdb bench.peer_polars
"""

from __future__ import annotations

import re
import sys

import duckdb

TIGHT = re.compile(r"^(ema_\d+|returns_\d+d|target_\d+d)$")
SKIP = {"code", "date", "row_idx"}
# differences of O(100) values: relative error is measured against this floor, so ≤ 1e-6 here
# means ≤ 1e-9 of the operands (the parity test's atol for the same columns)
FLOORS = {
    "rsi_delta": "1e-3",
    "macd_signal": "1e-9 * abs(o.close)",
    "macd_histogram": "1e-9 * abs(o.close)",
    # %b = (C − L)/(U − L): an error of 1e-9·C in a band is 1e-9/bandwidth in %b
    "bb_pct_b": "1e-3 / nullif(o.bb_bandwidth, 0)",
}
KNIFE_EDGE_SHARE = 1e-5


def tolerance(column: str) -> float:
    return 1e-9 if TIGHT.match(column) else 1e-6


def compare(con: duckdb.DuckDBPyConnection, peer: str, warm_up: dict[str, int] | None = None) -> dict[str, dict]:
    """Per column: rows compared, rows outside tolerance, NULL mismatches, worst relative error.
    `warm_up` skips rows with row_idx ≤ n for columns a peer seeds differently (pandas-ta's RSI)."""
    warm_up = warm_up or {}
    peer_cols = {
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns where table_schema || '.' || table_name = ?", [peer]
        ).fetchall()
    }
    ours = [
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns where table_schema = 'main' and table_name = 'ml_dataset' "
            "order by ordinal_position"
        ).fetchall()
    ]
    columns = [c for c in ours if c in peer_cols and c not in SKIP]
    keys = con.execute(f"""
        select (select count(*) from ml_dataset), (select count(*) from {peer}),
               (select count(*) from ml_dataset o join {peer} p using (code, date))""").fetchone()
    out: dict[str, dict] = {
        "_rows": {"ours": keys[0], "peer": keys[1], "matched": keys[2], "ok": keys[0] == keys[1] == keys[2]}
    }
    parts = []
    for c in columns:
        tol = tolerance(c)
        skip = f"o.row_idx > {warm_up[c]}" if c in warm_up else "true"
        # absolute floor: values that are differences of nearly equal numbers (MACD, deviations) near 0
        err = f"abs(o.{c} - p.{c}) / (abs(o.{c}) + coalesce({FLOORS.get(c, 1e-9)}, 1e-9))"
        parts.append(f"""
            count(*) filter (where {skip} and o.{c} is not null and p.{c} is not null),
            count(*) filter (where {skip} and {err} > {tol}),
            count(*) filter (where {skip} and (o.{c} is null) <> (p.{c} is null)),
            max({err}) filter (where {skip})""")
    row = con.execute(f"select {','.join(parts)} from ml_dataset o join {peer} p using (code, date)").fetchone()
    for i, c in enumerate(columns):
        n, bad, nulls, worst = row[4 * i : 4 * i + 4]
        out[c] = {
            "compared": n,
            "outside": bad,
            "null_mismatch": nulls,
            "worst_rel": worst,
            "tolerance": tolerance(c),
            "ok": bad <= KNIFE_EDGE_SHARE * n and nulls == 0,
        }
    return out


def summary(result: dict[str, dict]) -> tuple[bool, str]:
    bad = [c for c, r in result.items() if not r["ok"]]
    cols = [c for c in result if not c.startswith("_")]
    if not bad and result["_rows"]["ok"]:
        edge = sum(result[c]["outside"] for c in cols)
        return True, (
            f"all {len(cols)} columns agree on {result['_rows']['matched']:,} rows"
            + (f" ({edge} knife-edge values)" if edge else "")
        )
    if not result["_rows"]["ok"]:
        return False, f"rows differ: {result['_rows']}"
    return False, "disagree: " + "; ".join(f"{c} {result[c]}" for c in bad[:8])


if __name__ == "__main__":
    con = duckdb.connect(sys.argv[1], read_only=True)
    ok, text = summary(compare(con, sys.argv[2]))
    print(text)
    sys.exit(0 if ok else 1)
