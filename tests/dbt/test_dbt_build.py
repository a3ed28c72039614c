"""`dbt build --profiles-dir .` on a warehouse ingested from the fake server: the users' contract."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from tests.conftest import ingest, query

ROOT = Path(__file__).resolve().parents[2]
DBT = str(Path(sys.executable).with_name("dbt"))


def dbt(args: list[str], db: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GOGOOKU3_DUCKDB": str(db), "DBT_TARGET_PATH": str(tmp_path / "target"),
           "DBT_LOG_PATH": str(tmp_path / "logs"), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    return subprocess.run([DBT, *args, "--profiles-dir", "."], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)


def test_dbt_build_on_an_ingested_warehouse(fake_api, tmp_path):
    db = tmp_path / "warehouse.duckdb"
    assert ingest(fake_api, db, start=date(2024, 1, 4), end=date(2024, 6, 28)).ok
    out = dbt(["build"], db, tmp_path)
    assert out.returncode == 0, out.stdout[-4000:]
    assert "ERROR=0" in out.stdout
    bars = query(db, "select count(*) from staging.stg_jquants__daily_bars")[0][0]
    assert bars == query(db, "select count(*) from raw.equities_bars_daily")[0][0] > 0


def test_every_model_and_column_is_documented(fake_api, tmp_path):
    """`dbt docs generate` yields a complete site: each model and each column of its relation is described."""
    import json

    db = tmp_path / "warehouse.duckdb"
    assert ingest(fake_api, db, start=date(2024, 1, 4), end=date(2024, 3, 29)).ok
    assert dbt(["run", "--exclude", "macro_checks"], db, tmp_path).returncode == 0
    out = dbt(["docs", "generate", "--static"], db, tmp_path)
    assert out.returncode == 0, out.stdout[-2000:]
    target = tmp_path / "target"
    assert (target / "static_index.html").stat().st_size > 100_000
    manifest = json.loads((target / "manifest.json").read_text())
    catalog = json.loads((target / "catalog.json").read_text())
    missing = []
    for uid, node in manifest["nodes"].items():
        if node["resource_type"] != "model" or "macro_checks" in node["fqn"]:
            continue
        if not node.get("description"):
            missing.append(f"{uid} (model)")
        documented = {name.lower(): col.get("description") for name, col in node["columns"].items()}
        for column in catalog["nodes"].get(uid, {}).get("columns", {}):
            if not documented.get(column.lower()):
                missing.append(f"{uid}.{column}")
    assert not missing, missing
