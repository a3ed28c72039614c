"""What both peers share with the warehouse: the spec's market-code → investor Section map (Flow,
step 4), the maturity flags' first rows, and writing a peer's result as a table of schema `bench`."""

from __future__ import annotations

import duckdb

SECTION_OF = {
    "0111": "TSEPrime",
    "0112": "TSEStandard",
    "0113": "TSEGrowth",
    "0101": "TSE1st",
    "0102": "TSE2nd",
    "0104": "TSEMothers",
    "0106": "TSEJASDAQ",
    "0107": "TSEJASDAQ",
}

#: the spec's maturity flags: each is 1 from this row_idx on
VALIDITY_ROWS = (
    ("is_rsi2_valid", 5),
    ("is_ema5_valid", 15),
    ("is_ema10_valid", 30),
    ("is_ema20_valid", 60),
    ("is_ema200_valid", 200),
    ("is_valid_ma", 60),
)


def write_peer_table(con: duckdb.DuckDBPyConnection, name: str, frame: object) -> None:
    """CREATE OR REPLACE bench.<name> from a pandas frame or Arrow table, then checkpoint (a write
    is only done once it is on disk, as for dbt's tables)."""
    con.execute("create schema if not exists bench")
    con.register("peer_frame", frame)
    con.execute(f"create or replace table bench.{name} as select * from peer_frame")
    con.execute("checkpoint")
