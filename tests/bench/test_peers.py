"""The benchmark's peers compute the same dataset as ml_dataset (otherwise their timings mean
nothing), and the comparison catches a peer that does not."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench" / "peers"))

import compare
import pandas_ta_peer
import polars_peer


@pytest.fixture(scope="module")
def peer_db(built, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("peers") / "warehouse.duckdb"
    shutil.copy(built[0], db)
    polars_peer.main(str(db))
    pandas_ta_peer.main(str(db))
    return db


@pytest.mark.parametrize(
    "peer, warm_up",
    [("bench.peer_polars", None), ("bench.peer_pandas_ta", {"rsi_14": 400, "rsi_2": 400, "rsi_delta": 400})],
)
def test_peer_agrees_with_ml_dataset(peer_db, peer, warm_up):
    con = duckdb.connect(str(peer_db), read_only=True)
    result = compare.compare(con, peer, warm_up)
    con.close()
    ok, text = compare.summary(result)
    assert ok, text
    assert len([c for c in result if not c.startswith("_")]) == 62 + 7 + 6  # features, targets, OHLCV + turnover
    assert result["ema_200"]["compared"] > 0 and result["volatility_20d"]["compared"] > 0


def test_comparison_catches_a_wrong_formula(peer_db):
    con = duckdb.connect(str(peer_db))
    con.execute(
        "create or replace table bench.peer_wrong as select * replace (bb_pct_b * 1.001 as bb_pct_b) "
        "from bench.peer_polars"
    )
    con.execute("create or replace table bench.peer_short as select * from bench.peer_polars where row_idx > 1")
    wrong = compare.compare(con, "bench.peer_wrong")
    short = compare.compare(con, "bench.peer_short")
    con.close()
    assert not wrong["bb_pct_b"]["ok"] and wrong["ema_20"]["ok"]
    assert not compare.summary(wrong)[0]
    assert not short["_rows"]["ok"] and not compare.summary(short)[0]
