"""docs/features.md, the column → formula → model → macros table, is generated from the sources and
kept current: it names every mart column, each with a formula and the model computing it."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import gen_column_map


def test_the_feature_table_is_current():
    assert gen_column_map.main(["--check"]) == 0, "run: make docs"


def test_every_mart_column_has_a_formula_and_a_model():
    marts = {m["name"]: m for m in yaml.safe_load((ROOT / "models/marts/_marts__models.yml").read_text())["models"]}
    rows = {
        line.split("|")[1].strip().strip("`"): line.split("|")[2:4]
        for line in (ROOT / "docs/features.md").read_text().splitlines()
        if line.startswith("| `")
    }
    for mart in ("ml_dataset", "ml_dataset_enriched"):
        for column in (c["name"] for c in marts[mart]["columns"]):
            formula, model = rows[column]
            assert formula.strip() and model.strip() != "—", column
