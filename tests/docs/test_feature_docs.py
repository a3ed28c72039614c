"""docs/features.md, the column → formula → warm-up → model → macros table, is generated from the
sources and kept current: it names every mart column, each with a formula and the model computing it,
and the warm-up it states is the data's."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import gen_column_map


def test_the_feature_table_is_current():
    assert gen_column_map.main(["--check"]) == 0, "run: make docs"


def test_every_mart_column_has_a_formula_and_a_model():
    marts = {m["name"]: m for m in yaml.safe_load((ROOT / "models/marts/_marts__models.yml").read_text())["models"]}
    rows = {
        line.split("|")[1].strip().strip("`"): line.split("|")[2:6:2]
        for line in (ROOT / "docs/features.md").read_text().splitlines()
        if line.startswith("| `")
    }
    for mart in ("ml_dataset", "ml_dataset_enriched"):
        for column in (c["name"] for c in marts[mart]["columns"]):
            formula, model = rows[column]
            assert formula.strip() and model.strip() != "—", column


def test_the_documented_warm_up_is_where_each_column_starts(built):
    """A column with `meta.warm_up_rows: n` has no value on any code's rows 1..n and one on row n + 1;
    every other ml_dataset column has one on row 1, or none at all on this small market (flows)."""
    db, _, _ = built
    marts = {m["name"]: m for m in yaml.safe_load((ROOT / "models/marts/_marts__models.yml").read_text())["models"]}
    base = {c["name"] for c in marts["ml_dataset"]["columns"]}
    con = duckdb.connect(str(db), read_only=True)
    checked = 0
    for mart in ("ml_dataset", "ml_dataset_enriched"):
        for column in marts[mart]["columns"]:
            name, warm_up = column["name"], (column.get("meta") or {}).get("warm_up_rows")
            if mart == "ml_dataset_enriched" and (name in base or warm_up is None):
                continue  # ml_dataset's own columns are checked there; releases come when they come
            (first,) = con.execute(
                f'select min(row_idx) filter (where "{name}" is not null) from main.{mart}'
            ).fetchone()
            expected = {warm_up + 1} if warm_up is not None else {1, None}
            assert first in expected, f"{mart}.{name}: first value on row {first}, documented warm-up {warm_up}"
            checked += 1
    assert checked > 100
