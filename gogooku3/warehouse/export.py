"""`gogooku3 export`: ml_dataset → Parquet partitioned by year (zstd) plus a JSON manifest.

The export is deterministic (same warehouse → same bytes → same content hash): rows are written in
(code, date) order by one thread. It is written next to the destination and renamed into place,
so a reader never sees half an export.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import duckdb

IDENTIFIERS = ("code", "date", "open", "high", "low", "close", "volume", "turnover_value", "row_idx")


def _git_commit(repo: Path) -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def content_hash(root: Path) -> str:
    """sha256 over every data file's relative path and bytes, in path order."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*.parquet")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def export_ml_dataset(db_path: Path, out: Path, repo: Path) -> dict[str, object]:
    """Write ml_dataset to ``out`` (replacing it atomically); return the manifest."""
    if not db_path.exists():
        raise FileNotFoundError(f"{db_path} does not exist: run `gogooku3 ingest` and `dbt build` first")
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        tables = {
            r[0]: r[1]
            for r in con.execute(
                "select table_name, comment from duckdb_tables() where schema_name = 'main'"
            ).fetchall()
        }
        if "ml_dataset" not in tables:
            raise LookupError(f"{db_path} has no main.ml_dataset: run `dbt build --profiles-dir .` first")
        invocation = (tables["ml_dataset"] or "").partition("dbt_invocation_id=")[2] or None
        con.execute("set threads = 1")  # one writer: deterministic files
        columns = con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'main' and table_name = 'ml_dataset' order by ordinal_position"
        ).fetchall()
        rows, first, last, n_codes = con.execute(
            "select count(*), min(date), max(date), count(distinct code) from ml_dataset"
        ).fetchall()[0]
        codes = [r[0] for r in con.execute("select distinct code from ml_dataset order by code").fetchall()]
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = out.with_name(out.name + ".tmp")
        shutil.rmtree(staging, ignore_errors=True)
        con.execute(
            f"copy (select *, year(date) as year from ml_dataset order by code, date) to '{staging}' "
            "(format parquet, compression zstd, partition_by (year), filename_pattern 'part_{i}')"
        )
    finally:
        con.close()
    targets = [{"name": c, "type": t} for c, t in columns if c.startswith("target_")]
    features = [{"name": c, "type": t} for c, t in columns if c not in IDENTIFIERS and not c.startswith("target_")]
    manifest: dict[str, object] = {
        "dataset": "ml_dataset",
        "rows": rows,
        "date_min": str(first) if first else None,
        "date_max": str(last) if last else None,
        "n_codes": n_codes,
        "codes": codes,
        "identifiers": list(IDENTIFIERS),
        "features": features,
        "targets": targets,
        "partitioning": "year=YYYY/part_0.parquet (zstd), rows ordered by (code, date)",
        "git_commit": _git_commit(repo),
        "dbt_invocation_id": invocation,
        "content_sha256": content_hash(staging),
        "exported_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "source": str(db_path),
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    if out.exists():
        old = out.with_name(out.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        out.rename(old)
        staging.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staging.rename(out)
    return manifest
