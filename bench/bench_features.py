"""Feature-warehouse benchmark: the synthetic full market (4,000 codes × 5 years by default).

    python bench/bench_features.py                        # ingest (bulk) into a temp file, then measure
    python bench/bench_features.py --db data/big.duckdb   # reuse / keep a warehouse

Prints, from one run on this machine (issue #5 targets in brackets):
1. the compute rate of the feature DAG without materializing it: the compiled queries of
   int_features__long_memory, int_features__volatility, int_features__return_bounds and
   ml_dataset, each aggregated to one row (hash of every column)
                                                                      [≥ 1,000,000 rows/s]
2. the `dbt run` time of the feature models against the materialization floor — DuckDB writing a
   table of the same shape (a copy of ml_dataset) in the same run    [≤ 2.0 × floor]
   and against the design's floor: dbt's start-up (a run of one tiny view) plus DuckDB writing a
   copy of every table that run stores (the observations, the long memory and the extended
   indicators keep the state daily runs continue from) — what any build of this design pays
   before computing anything; the rest of the run is the queries and dbt's work per model
3. the peak memory of the dbt process                                 [≤ 4 GB]
4. the cost of the enrichment (issue #4): `dbt run` of ml_dataset_enriched and the models only it
   needs, as a share of the ml_dataset run                              [≤ 50 %]
5. the `dbt build --full-refresh` of the data-quality models and their tests (printed, no target)
Figures are printed, never asserted: these machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
FEATURE_MODELS = "+ml_dataset"


def ingest(db: Path, codes: int, years: float) -> None:
    from bench_ingest import load_fake_market  # type: ignore[import-not-found]

    # the Light plan's window: five years back from today's date
    load_fake_market(db, codes, years, "light", date(2021, 11, 25), date(2026, 10, 30))


def dbt(args: list[str], db: Path, target: Path, check: bool = True) -> float:
    env = {
        **os.environ,
        "GOGOOKU3_DUCKDB": str(db),
        "DBT_TARGET_PATH": str(target),
        "DBT_LOG_PATH": str(target / "logs"),
    }
    dbt_bin = Path(sys.executable).with_name("dbt")
    t0 = time.monotonic()
    subprocess.run(
        [str(dbt_bin), *args, "--profiles-dir", str(ROOT), "--project-dir", str(ROOT), "--quiet"],
        env=env,
        cwd=ROOT,
        check=check,
    )
    return time.monotonic() - t0


def stored_tables(manifest: Path, model: str = "model.gogooku3.ml_dataset") -> list[str]:
    """schema.table of every table the `+model` selection writes (views store nothing), from dbt's manifest."""
    graph = json.loads(manifest.read_text())
    selected, todo = set(), [model]
    while todo:
        node = todo.pop()
        if node not in selected:
            selected.add(node)
            todo.extend(graph["parent_map"].get(node, []))
    nodes = [graph["nodes"][n] for n in sorted(selected) if n in graph["nodes"]]
    return [f"{n['schema']}.{n['alias']}" for n in nodes if n["config"]["materialized"] in ("table", "incremental")]


def copy_seconds(con: duckdb.DuckDBPyConnection, table: str) -> float:
    """DuckDB writing a copy of `table` (and checkpointing it to disk)."""
    t0 = time.monotonic()
    con.execute(f"create or replace table main._bench_copy as select * from {table}")
    con.execute("checkpoint")
    seconds = time.monotonic() - t0
    con.execute("drop table main._bench_copy")
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", type=Path, help="warehouse to use (ingested first if it has no bars)")
    ap.add_argument("--codes", type=int, default=4000)
    ap.add_argument("--years", type=float, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT / "bench"))

    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "features.duckdb"
        target = Path(tmp) / "target"
        has_bars = False
        if db.exists():
            con = duckdb.connect(str(db), read_only=True)
            has_bars = bool(
                con.sql(
                    "select count(*) from information_schema.tables where table_schema = 'raw' "
                    "and table_name = 'equities_bars_daily'"
                ).fetchall()[0][0]
            )
            con.close()
        if not has_bars:
            t0 = time.monotonic()
            ingest(db, args.codes, args.years)
            print(f"ingested {args.codes} codes × {args.years:g} years in {time.monotonic() - t0:.1f} s")

        # a full refresh: on a built warehouse a plain run is the (incremental) daily update
        build_s = dbt(["run", "--select", FEATURE_MODELS, "--full-refresh"], db, target)
        peak_gb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024**2
        stored = stored_tables(target / "manifest.json")
        startup_s = dbt(["run", "--select", "stg_jquants__trading_calendar"], db, target)
        # a full refresh too: the enrichment tables are incremental, and after the features' full
        # refresh a plain run finds no new day and writes nothing
        enrich_s = dbt(
            ["run", "--select", "+ml_dataset_enriched", "--exclude", FEATURE_MODELS, "--full-refresh"], db, target
        )
        # a full refresh, as dq_bar_checks is incremental; with int_bar_presence, the bar keys the
        # quality models read. A data-quality check that fails is not a failed benchmark; a model that
        # cannot be built is.
        results = target / "run_results.json"
        results.unlink(missing_ok=True)  # the enrichment run's: a dbt that fails to start writes none
        quality_s = dbt(
            ["build", "--select", "dq_checks", "int_bar_presence", "quality", "--full-refresh"], db, target, check=False
        )
        if not results.exists():
            sys.exit("the data-quality build did not run (no run_results.json): see dbt's output above")
        errors = [r["unique_id"] for r in json.loads(results.read_text())["results"] if r["status"] == "error"]
        if errors:
            sys.exit(f"the data-quality build failed: {', '.join(errors)}")
        compiled_dir = target / "compiled" / "gogooku3" / "models"
        # the feature DAG's SQL queries: the recursive smoothings and the volatility (tables a daily
        # run continues), the winsorizing bounds per date (stored: a code recomputed whole reads its
        # past dates') and ml_dataset over them (the Python model is not a query: it is in the dbt run)
        features_dir = compiled_dir / "intermediate" / "features"
        queries = [
            (features_dir / f"{m}.sql").read_text()
            for m in ("int_features__long_memory", "int_features__volatility", "int_features__return_bounds")
        ]
        queries.append((compiled_dir / "marts" / "ml_dataset.sql").read_text())

        con = duckdb.connect(str(db))
        con.execute(f"set threads = {args.threads}")
        rows = con.sql("select count(*) from ml_dataset").fetchall()[0][0]
        cols = len(con.sql("select * from ml_dataset limit 0").columns)
        t0 = time.monotonic()
        for query in queries:
            con.sql(f"select count(*), sum(hash(t)) from ({query}\n) t").fetchall()
        compute_s = time.monotonic() - t0
        floor_s = copy_seconds(con, "main.ml_dataset")
        writes = {table: (floor_s if table == "main.ml_dataset" else copy_seconds(con, table)) for table in stored}
        con.close()
        design_floor_s = startup_s + sum(writes.values())

    figures = {
        "rows": rows,
        "columns": cols,
        "compute_s": round(compute_s, 2),
        "compute_rows_per_s": round(rows / compute_s),
        "dbt_run_s": round(build_s, 2),
        "floor_s": round(floor_s, 2),
        "ratio_to_floor": round(build_s / floor_s, 2),
        "dbt_startup_s": round(startup_s, 2),
        "table_writes_s": {t: round(s, 2) for t, s in writes.items()},
        "design_floor_s": round(design_floor_s, 2),
        "design_floor_to_floor": round(design_floor_s / floor_s, 2),
        "dbt_run_beyond_design_floor_s": round(build_s - design_floor_s, 2),
        "dbt_peak_rss_gb": round(peak_gb, 2),
        "enrichment_run_s": round(enrich_s, 2),
        "enrichment_share_of_ml_dataset": round(enrich_s / build_s, 3),
        "quality_build_s": round(quality_s, 2),
    }
    print(json.dumps(figures, indent=2))
    print(
        f"\n{rows:,} rows × {cols} columns: compute {figures['compute_rows_per_s']:,} rows/s (target ≥ 1,000,000); "
        f"dbt run {build_s:.1f} s vs floor {floor_s:.1f} s = {figures['ratio_to_floor']}× (target ≤ 2.0); "
        f"dbt peak RSS {peak_gb:.2f} GB (target ≤ 4)\n"
        f"design floor {design_floor_s:.1f} s = {figures['design_floor_to_floor']}× floor: dbt start-up {startup_s:.1f} s "
        f"+ writing the {len(writes)} tables the run stores {sum(writes.values()):.1f} s; "
        f"beyond it {build_s - design_floor_s:.1f} s (the queries, and dbt's work per model)\n"
        f"enrichment {enrich_s:.1f} s = {100 * enrich_s / build_s:.0f} % of the ml_dataset run (target ≤ 50 %); "
        f"data-quality build {quality_s:.1f} s"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
