"""Daily-update benchmark (issue #6): one new trading day on the synthetic full market.

    python bench/bench_incremental.py                         # 4,000 codes × 5 years, ingested into a temp file
    python bench/bench_incremental.py --db data/big.duckdb    # reuse a loaded warehouse (not modified)

From one run on this machine (target in brackets):
1. the warehouse is rewound by --days trading days (bench/daily_replay.py) and built from scratch:
   `dbt run --select +ml_dataset --full-refresh` (printed: a full refresh costs what it did)
2. each day is replayed — the rows a daily `gogooku3 ingest` adds — and the daily job timed:
   `dbt run --select +ml_dataset`, with the slowest models from dbt's run_results    [≤ 5 s]
   then, on the last three days, `dbt build --select +ml_dataset --indirect-selection cautious
   --exclude-resource-type unit_test` (the feature models and their own data tests, as the daily
   job builds them), the production daily job — a whole-project `dbt build --exclude-resource-type
   unit_test` (unit tests check the macros' SQL on fixtures, not the data: CI's job) — and a
   whole-project `dbt build`. The enrichment tables are brought up to
   each day after a job that does not build them (untimed), so every whole build appends one day;
   so are the incremental data-quality tables, and the others are rebuilt. dbt's own start-up,
   `dbt run` of one tiny view, is printed alongside for scale
3. the incrementally built tables are compared with a full refresh of the final warehouse.
Figures are printed, never asserted: these machines are shared and noisy.

A full refresh writes ml_dataset in (code, row_idx) order, so for the 20 days after it (target_20d
looks 20 rows ahead) a daily run completes open targets in every row group, and the commit
rewrites them (+0.3-0.5 s); from the 21st day on they lie in the rows daily runs appended. The
summary separates the three: the first day, days 2-20, and the settled days 21 on — a warehouse
that runs daily spends its life in the last. `--days 45` times 42 feature runs, 22 of them settled.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
TARGET_ROWS = 20  # target_20d: a row's targets are complete 20 observations later
sys.path.insert(0, str(ROOT / "bench"))

from bench_features import dbt, ingest
from daily_replay import INCREMENTAL_SELECTION, INCREMENTAL_TABLES, advance, bar_days, max_differences, rewind


def slowest_models(target: Path, n: int = 5) -> list[tuple[str, float]]:
    results = json.loads((target / "run_results.json").read_text())["results"]
    timed = [
        (r["unique_id"].split(".")[-1], round(r["execution_time"], 2))
        for r in results
        if r["unique_id"].startswith("model.")
    ]
    return sorted(timed, key=lambda m: -m[1])[:n]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--db", type=Path, help="a loaded warehouse to start from (copied, not modified; ingested if missing)"
    )
    ap.add_argument("--codes", type=int, default=4000)
    ap.add_argument("--years", type=float, default=5)
    ap.add_argument(
        "--days",
        type=int,
        default=4,
        help="trading days to replay (≥ 4: the last three are a dbt build of the features, a whole dbt build "
        "without unit tests and a whole dbt build; ≥ 24 to time settled days)",
    )
    ap.add_argument("--workdir", type=Path, help="where the working copies go (default: a temp dir)")
    ap.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    ap.add_argument(
        "--keep", type=Path, help="keep the two final warehouses (daily.duckdb, full.duckdb) in this folder"
    )
    args = ap.parse_args()
    if args.days < 4:
        ap.error("--days must be at least 4 (runs, then a build of the features, a production build and a whole build)")
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)  # a new folder is fine: the copies go in a temp dir inside it

    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp_name:
        tmp = Path(tmp_name)
        loaded = args.db or tmp / "loaded.duckdb"
        if not loaded.exists():
            t0 = time.monotonic()
            ingest(loaded, args.codes, args.years)
            print(f"ingested {args.codes} codes × {args.years:g} years in {time.monotonic() - t0:.1f} s")
        con = duckdb.connect(str(loaded), read_only=True)
        days = bar_days(con)
        con.close()
        replay = days[-args.days :]
        db, target = tmp / "daily.duckdb", tmp / "target"
        shutil.copy(loaded, db)
        rewind(db, days[-args.days - 1])

        full_s = dbt(["run", "--select", "+ml_dataset", "--full-refresh"], db, target)
        print(f"full refresh up to {days[-args.days - 1]}: {full_s:.1f} s")
        dbt(["run", "--select", INCREMENTAL_SELECTION], db, target)  # the enrichment table, stored as of that day
        startup_s = dbt(["run", "--select", "stg_jquants__trading_calendar"], db, target)
        print(f"dbt start-up (run of one tiny view): {startup_s:.1f} s")

        daily = []
        no_unit_tests = ["--exclude-resource-type", "unit_test"]
        production = ["build", *no_unit_tests]
        features_build = ["build", "--select", "+ml_dataset", "--indirect-selection", "cautious", *no_unit_tests]
        jobs = [["run", "--select", "+ml_dataset"]] * (len(replay) - 3) + [features_build, production, ["build"]]
        for day, job in zip(replay, jobs, strict=True):
            bars = advance(db, loaded, day)
            whole = job[0] == "build" and "--select" not in job
            # a failing data-quality check is not a failed benchmark
            seconds = dbt(job, db, target, check=not whole)
            command = "dbt " + " ".join(job)
            daily.append(
                {
                    "day": day.isoformat(),
                    "bars": bars,
                    "command": command,
                    "seconds": round(seconds, 2),
                    "slowest_models": slowest_models(target),
                }
            )
            print(
                f"{day}: {bars:,} bars, {command} {seconds:.2f} s; "
                f"slowest: {', '.join(f'{m} {s:.2f} s' for m, s in daily[-1]['slowest_models'])}"
            )
            if not whole:  # the enrichment tables follow, untimed, so that a whole build appends one day
                dbt(["run", "--select", INCREMENTAL_SELECTION], db, target)

        full = tmp / "full.duckdb"
        shutil.copy(db, full)
        dbt(["run", "--select", INCREMENTAL_SELECTION, "--full-refresh"], full, target)
        con = duckdb.connect(str(full), read_only=True)
        rows = con.execute("select count(*) from ml_dataset").fetchone()[0]
        con.close()
        agreement = {}
        for table, key in INCREMENTAL_TABLES.items():
            differences = max_differences(db, full, table, key)
            mismatched = {c: n for c, (_, n) in differences.items() if n}
            agreement[table] = {
                "columns": len(differences),
                "max_difference": max(d for d, _ in differences.values()),
                "mismatched_rows_by_column": mismatched,
            }
            print(
                f"{table}: {len(differences)} columns vs a full refresh — largest difference "
                f"{agreement[table]['max_difference']:.1e} (relative to max(|x|, 1)); NULL/row/integer mismatches: "
                f"{mismatched or 'none'}"
            )

        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            shutil.move(db, args.keep / "daily.duckdb")
            shutil.move(full, args.keep / "full.duckdb")

    runs = [d["seconds"] for d in daily if d["command"].startswith("dbt run")]
    figures = {
        "rows": rows,
        "full_refresh_s": round(full_s, 2),
        "dbt_startup_s": round(startup_s, 2),
        "daily": daily,
        "agreement": agreement,
    }
    # day 1 after the full refresh, days 2-20 (completing targets in its row groups), the settled days
    phases = [
        ("first_day", "the first day after the full refresh", runs[:1]),
        ("days_2_to_20", f"days 2–{TARGET_ROWS}", runs[1:TARGET_ROWS]),
        ("settled", f"settled (day {TARGET_ROWS + 1} on)", runs[TARGET_ROWS:]),
    ]
    texts = []
    for key, label, seconds in phases:
        if seconds:
            ordered = sorted(seconds)
            median = ordered[len(ordered) // 2]
            figures[f"feature_run_{key}_median_s"] = median
            texts.append(
                f"{label} {median:.2f} s"
                if len(seconds) == 1
                else f"{label} median {median:.2f} s ({ordered[0]:.2f}–{ordered[-1]:.2f} s over {len(seconds)} days)"
            )
    run_text = "; ".join(texts)
    print(
        f"\none new day: dbt run --select +ml_dataset: {run_text} (target ≤ 5 s; dbt start-up "
        f"{startup_s:.1f} s of it), with its data tests {daily[-3]['seconds']:.2f} s, whole dbt build without unit tests "
        f"{daily[-2]['seconds']:.2f} s, whole dbt build {daily[-1]['seconds']:.2f} s; full refresh {full_s:.1f} s"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
