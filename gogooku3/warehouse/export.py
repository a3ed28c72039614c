"""`gogooku3 export`: ml_dataset (and ml_dataset_enriched on request) → Hive-partitioned Parquet in a
local folder or an S3-compatible bucket, appended: each export rewrites only the partitions whose
rows changed since the last one.

Layout under the destination::

    ml_dataset/year=2026/month=10/part-<16 hex>.parquet   zstd, rows in (code, date) order
    _manifest.json                                         the current export: every file, what changed
    _exports/<UTC time>.json                               each export's manifest, kept

Readers that take a folder (Polars, PyArrow datasets, DuckDB) read ``<destination>/ml_dataset``;
names starting with ``_`` are skipped by Hive readers anyway. A file's name is its content's hash,
so an export never overwrites a file the current manifest names: it writes the changed partitions'
new files, then the manifest (last: the switch), then deletes the files it superseded. An export
that stops half way leaves the previous manifest and every file it names in place. It deletes only
files an export wrote, and refuses a destination holding anything else and no manifest.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from .lake import Destination, DestinationError, open_destination

FORMAT = "gogooku3-export/2"
MANIFEST = "_manifest.json"
HISTORY = "_exports"
DATASETS = ("ml_dataset", "ml_dataset_enriched")
IDENTIFIERS = ("code", "date", "open", "high", "low", "close", "volume", "turnover_value", "row_idx")
PART_FILE = re.compile(r"^(?:" + "|".join(DATASETS) + r")/year=\d{4}/month=\d{1,2}/part-[0-9a-f]{16}\.parquet$")


def _git_commit(repo: Path) -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def _previous_manifest(dest: Destination, files: list[str]) -> dict | None:
    """The destination's current manifest; refuses a destination that holds anything else."""
    text = dest.read_text(MANIFEST)
    if text is None:
        if files:
            hint = (
                " (an export of gogooku3 before 0.2 wrote manifest.json: move it away)"
                if "manifest.json" in files
                else ""
            )
            raise DestinationError(
                f"{dest.uri} holds files no gogooku3 export wrote (e.g. {files[0]}){hint}; "
                "export to an empty folder or prefix, or to one an earlier export wrote"
            )
        return None
    try:
        manifest = json.loads(text)
    except ValueError:
        raise DestinationError(f"{dest.uri}/{MANIFEST} is not an export manifest; move it away") from None
    if manifest.get("format") != FORMAT:
        raise DestinationError(f"{dest.uri}/{MANIFEST} is not a {FORMAT} manifest; export to another folder")
    return manifest


def _partitions(con: duckdb.DuckDBPyConnection, dataset: str) -> dict[str, dict]:
    """Per (year, month) partition: its rows and a fingerprint of its content (a sum of row hashes)."""
    rows = con.execute(
        f"select year(date), month(date), count(*), sum(hash({dataset}))::varchar from main.{dataset} group by all"
    ).fetchall()
    return {f"{dataset}/year={y}/month={m}": {"rows": n, "fingerprint": f} for y, m, n, f in rows}


def _summary(con: duckdb.DuckDBPyConnection, dataset: str) -> dict[str, object]:
    columns = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'main' and table_name = ? order by ordinal_position",
        [dataset],
    ).fetchall()
    rows, first, last, n_codes = con.execute(
        f"select count(*), min(date), max(date), count(distinct code) from main.{dataset}"
    ).fetchone()
    summary: dict[str, object] = {
        "rows": rows,
        "date_min": str(first) if first else None,
        "date_max": str(last) if last else None,
        "n_codes": n_codes,
        "columns": [{"name": c, "type": t} for c, t in columns],
    }
    if dataset == "ml_dataset":
        summary["identifiers"] = list(IDENTIFIERS)
        summary["targets"] = [{"name": c, "type": t} for c, t in columns if c.startswith("target_")]
        summary["features"] = [
            {"name": c, "type": t} for c, t in columns if c not in IDENTIFIERS and not c.startswith("target_")
        ]
    return summary


def _schema_key(summary: dict[str, object]) -> str:
    return hashlib.sha256(json.dumps(summary["columns"]).encode()).hexdigest()[:16]


def _write_partitions(
    con: duckdb.DuckDBPyConnection,
    dataset: str,
    keys: list[str],
    dest: Destination,
    existing: set[str],
    progress: Callable[[str], None],
) -> dict[str, dict]:
    """Write the partitions ``keys`` of ``dataset`` to ``dest`` (a file already there with the same name
    has the same bytes); returns {key: {"path", "sha256"}}."""
    if not keys:
        return {}
    wanted = ", ".join(f"({year}, {month})" for year, month in map(_year_month, keys))
    written: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="gogooku3-export-") as tmp:
        con.execute("set threads = 1")  # one writer: the same rows give the same bytes
        con.execute(
            f"copy (select *, year(date) as year, month(date) as month from main.{dataset} "
            f"where (year(date), month(date)) in ({wanted}) order by code, date) to '{tmp}' "
            "(format parquet, compression zstd, partition_by (year, month), filename_pattern 'part_{i}')"
        )
        con.execute("reset threads")
        for file in sorted(Path(tmp).rglob("*.parquet")):
            key = f"{dataset}/{file.parent.parent.name}/{file.parent.name}"
            data = file.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            path = f"{key}/part-{digest[:16]}.parquet"
            if path not in existing:
                dest.put(path, data)
            written[key] = {"path": path, "sha256": digest}
            progress(path)
    return written


def export_datasets(
    db_path: Path,
    target: str | Path,
    repo: Path,
    *,
    datasets: tuple[str, ...] = ("ml_dataset",),
    progress: Callable[[str], None] = lambda path: None,
) -> dict[str, object]:
    """Export ``datasets`` from the warehouse at ``db_path`` to ``target`` (a folder or s3://bucket/prefix),
    rewriting only the partitions that changed; returns the new manifest."""
    if not Path(db_path).exists():
        raise FileNotFoundError(f"{db_path} does not exist: run `gogooku3 ingest` and `dbt build` first")
    unknown = [d for d in datasets if d not in DATASETS]
    if unknown:
        raise LookupError(f"cannot export {unknown}: the datasets are {', '.join(DATASETS)}")
    dest = open_destination(target)
    dest.check()
    files = dest.files()
    previous = _previous_manifest(dest, files)
    existing = set(files)
    before = {f["key"]: f for d in (previous or {}).get("datasets", {}).values() for f in d["files"]}
    schema_before = {name: d.get("schema_key") for name, d in (previous or {}).get("datasets", {}).items()}

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        present = _tables(con, "main")
        missing = [d for d in datasets if d not in present]
        if missing:
            raise LookupError(f"{db_path} has no main.{missing[0]}: run `dbt build --profiles-dir .` first")
        built = []
        if "dbt_build_log" in _tables(con, "intermediate"):
            built = con.execute(
                "select invocation_id from intermediate.dbt_build_log where relation = 'main.ml_dataset' "
                "order by built_at desc limit 1"
            ).fetchall()
        manifest_datasets: dict[str, dict] = {}
        written: list[str] = []
        for dataset in datasets:
            summary = _summary(con, dataset)
            schema_key = _schema_key(summary)
            partitions = _partitions(con, dataset)
            same_schema = schema_before.get(dataset) == schema_key
            changed = sorted(
                key
                for key, part in partitions.items()
                if not same_schema
                or key not in before
                or before[key]["fingerprint"] != part["fingerprint"]
                or before[key]["rows"] != part["rows"]
                or before[key]["path"] not in existing
            )
            new_files = _write_partitions(con, dataset, changed, dest, existing, progress)
            written += [new_files[k]["path"] for k in changed]
            entries = []
            for key in sorted(partitions, key=_year_month):
                source = new_files.get(key) or before[key]
                entries.append({"key": key, "path": source["path"], "sha256": source["sha256"], **partitions[key]})
            digest = hashlib.sha256()
            for entry in entries:
                digest.update(entry["path"].encode())
                digest.update(bytes.fromhex(entry["sha256"]))
            manifest_datasets[dataset] = {
                **summary,
                "schema_key": schema_key,
                "partitioning": "year=YYYY/month=M/part-<hash>.parquet (zstd), rows ordered by (code, date)",
                "content_sha256": digest.hexdigest(),
                "files": entries,
            }
        if "ml_dataset" in manifest_datasets:
            codes = con.execute("select distinct code from main.ml_dataset order by code").fetchall()
            manifest_datasets["ml_dataset"]["codes"] = [c for (c,) in codes]
    finally:
        con.close()

    kept = {e["path"] for d in manifest_datasets.values() for e in d["files"]}
    # every file an export wrote that this manifest does not name: the superseded ones, a stopped export's
    stale = sorted(f for f in existing if PART_FILE.match(f) and f not in kept)
    exported_at = datetime.now(UTC).replace(microsecond=0)
    manifest: dict[str, object] = {
        "format": FORMAT,
        "exported_at": exported_at.isoformat(),
        "git_commit": _git_commit(repo),
        "dbt_invocation_id": built[0][0] if built else None,
        "source": str(db_path),
        "datasets": manifest_datasets,
        "changes": {
            "previous_export": (previous or {}).get("exported_at"),
            "written": written,
            "deleted": stale,
            "unchanged": len(kept) - len(written),
        },
    }
    text = (json.dumps(manifest, indent=2) + "\n").encode()
    stamp = exported_at.strftime("%Y%m%dT%H%M%SZ")
    dest.put(f"{HISTORY}/{stamp}-{hashlib.sha256(text).hexdigest()[:8]}.json", text)
    dest.put(MANIFEST, text)  # last: the switch from the previous export to this one
    for path in manifest["changes"]["deleted"]:
        dest.delete(path)
    return manifest


def _tables(con: duckdb.DuckDBPyConnection, schema: str) -> set[str]:
    rows = con.execute("select table_name from information_schema.tables where table_schema = ?", [schema]).fetchall()
    return {r[0] for r in rows}


def _year_month(key: str) -> tuple[int, int]:
    """(year, month) of a partition key ``<dataset>/year=Y/month=M``."""
    year = int(key.split("year=")[1].split("/")[0])
    return year, int(key.split("month=")[1])
