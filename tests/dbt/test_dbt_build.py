"""`dbt build --profiles-dir .` on a warehouse ingested from the fake server: the users' contract,
the docs site, and the Parquet export built on it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from tests.conftest import query
from tests.dbt.runner import ROOT, dbt


def test_dbt_build_on_an_ingested_warehouse(built):
    db, _, out = built
    assert out.returncode == 0, out.stdout[-4000:]
    assert "ERROR=0" in out.stdout
    bars = query(db, "select count(*) from staging.stg_jquants__daily_bars")[0][0]
    assert bars == query(db, "select count(*) from raw.equities_bars_daily")[0][0] > 0
    assert (
        query(db, "select count(*) from ml_dataset")[0][0]
        == query(db, "select count(*) from raw.equities_bars_daily where AdjC is not null")[0][0]
    )


def test_the_file_analysts_open_carries_the_docs(built):
    """Every relation in main and analytics, and every one of their columns, has its dbt description
    as a DuckDB comment (what `duckdb_tables()`, `duckdb_views()` and `duckdb_columns()` show);
    build state lives in intermediate.dbt_build_log, not in ml_dataset's comment."""
    db, _, _ = built
    relations = query(
        db,
        """select schema_name, table_name, comment from duckdb_tables() where schema_name in ('main', 'analytics')
           union all
           select schema_name, view_name, comment from duckdb_views() where schema_name in ('main', 'analytics')
             and not internal""",
    )
    assert len(relations) >= 9
    assert [r[:2] for r in relations if not (r[2] or "").strip()] == []
    assert query(db, "select comment from duckdb_tables() where table_name = 'ml_dataset'")[0][0].startswith(
        "The ML dataset"
    )
    uncommented = query(
        db,
        """select c.schema_name, c.table_name, count(*) from duckdb_columns() as c
           where c.schema_name in ('main', 'analytics') and not c.internal and coalesce(c.comment, '') = ''
           group by all""",
    )
    assert uncommented == []
    assert query(db, "select relation, count(*) from intermediate.dbt_build_log group by all") == [
        ("main.ml_dataset", 1)
    ]


def test_every_model_and_column_is_documented(built):
    """`dbt docs generate` yields a complete site: each model and each column of its relation is described."""
    db, tmp, _ = built
    out = dbt(["docs", "generate", "--static"], db, tmp)
    assert out.returncode == 0, out.stdout[-2000:]
    target = tmp / "target"
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
    for uid, source in manifest["sources"].items():
        documented = {name.lower(): col.get("description") for name, col in source["columns"].items()}
        if not source.get("description"):
            missing.append(f"{uid} (source)")
        for column in catalog["sources"].get(uid, {}).get("columns", {}):
            if not documented.get(column.lower()):
                missing.append(f"{uid}.{column}")
    for uid, macro in manifest["macros"].items():
        if macro["package_name"] == "gogooku3" and not macro.get("description"):
            missing.append(f"{uid} (macro)")
    for uid, exposure in manifest["exposures"].items():
        if not exposure.get("description"):
            missing.append(f"{uid} (exposure)")
    assert manifest["exposures"], "the export and the analyst views are declared as exposures"
    assert not missing, missing
    # the ecosystem's checks of the same artifacts: documentation coverage and the metadata score
    bin_dir = Path(sys.executable).parent
    coverage = subprocess.run(
        [
            bin_dir / "dbt-coverage",
            "compute",
            "doc",
            "--project-dir",
            ROOT,
            "--run-artifacts-dir",
            target,
            "--cov-fail-under",
            "1.0",
            "--cov-report",
            tmp / "coverage-doc.json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert coverage.returncode == 0, coverage.stdout[-2000:] + coverage.stderr[-2000:]
    score = subprocess.run(
        [bin_dir / "dbt-score", "lint", "--manifest", target / "manifest.json", "--fail-project-under", "9.8"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert score.returncode == 0, score.stdout[-2000:]


def readme_sql_examples() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Query it yourself", 1)[1].split("\n## ", 1)[0]
    return [block.split("```", 1)[0].strip() for block in section.split("```sql")[1:]]


def test_readme_has_at_least_six_examples():
    assert len(readme_sql_examples()) >= 6


@pytest.mark.parametrize("index", range(len(readme_sql_examples())))
def test_readme_sql_examples_run_on_a_built_warehouse(built, index):
    db, _, out = built
    assert out.returncode == 0
    sql = readme_sql_examples()[index]
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.sql(sql).fetchall()
    finally:
        con.close()
    assert rows, f"example {index + 1} returned no rows:\n{sql}"


def test_source_freshness_runs_for_every_dated_source(built):
    db, tmp, _ = built
    out = dbt(["source", "freshness"], db, tmp)
    assert out.returncode == 0, out.stdout[-2000:]
    assert "ERROR" not in out.stdout
    assert out.stdout.count("freshness of jquants.") >= 2 * 5  # START and result lines of 5 dated sources


def test_partial_parsing_can_reload_the_manifest(built, tmp_path):
    """dbt saves its parse for the next run; a YAML slip (an unquoted comma in a flow mapping turning
    `rolling_std(close, 3, ddof=0)` into an integer key) made every run re-parse the project (+2 s)."""
    import msgpack

    assert dbt(["parse"], built[0], tmp_path).returncode == 0
    saved = (tmp_path / "target" / "partial_parse.msgpack").read_bytes()
    assert msgpack.unpackb(saved, strict_map_key=True)["nodes"]


def window_operators(db: Path, sql: str) -> int:
    """WINDOW operators over observations (ordered by row_idx) in DuckDB's physical plan of ``sql``: each
    sorts and holds every row it gets. Small ones elsewhere (the listing view's intervals) do not count."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        plan = json.loads(con.execute("explain (format json) " + sql + "\n").fetchall()[0][1])
    finally:
        con.close()

    def count(node: dict) -> int:
        over_rows = node.get("name") == "WINDOW" and "ORDER BY row_idx" in json.dumps(node.get("extra_info"))
        return over_rows + sum(count(child) for child in node.get("children", []))

    return sum(count(node) for node in plan)


def test_full_refresh_plans_keep_their_window_passes(built, tmp_path):
    """The feature models' full refreshes keep the window passes they were designed with: ml_dataset one
    (every family's windows in feature_windows), the winsorizing bounds one (their returns), the
    volatility two (the 20/60-row windows, then the regime's over the 20-row volatility), the long
    memory none (a recursive CTE). A window written outside a family's `<family>_windows()` adds a
    pass that holds every column accumulated so far, several times slower on the full market."""
    db, _, _ = built
    out = dbt(
        [
            "compile",
            "--select",
            "ml_dataset",
            "int_features__long_memory",
            "int_features__volatility",
            "int_features__return_bounds",
            "--full-refresh",
        ],
        db,
        tmp_path,
    )
    assert out.returncode == 0, out.stdout[-2000:]
    compiled = tmp_path / "target" / "compiled" / "gogooku3" / "models"
    features = compiled / "intermediate" / "features"
    assert window_operators(db, (compiled / "marts" / "ml_dataset.sql").read_text()) == 1
    assert window_operators(db, (features / "int_features__return_bounds.sql").read_text()) == 1
    assert window_operators(db, (features / "int_features__volatility.sql").read_text()) == 2
    assert window_operators(db, (features / "int_features__long_memory.sql").read_text()) == 0


def example_queries() -> dict[str, str]:
    """The example query (```sql … ```) in each model description of the marts (schema main) and
    analytics YAML, by schema-qualified model name."""
    examples = {}
    for schema, path in (
        ("main", "models/marts/_marts__models.yml"),
        ("analytics", "models/analytics/_analytics__models.yml"),
    ):
        for model in yaml.safe_load((ROOT / path).read_text())["models"]:
            found = re.search(r"```sql\n(.*?)```", model.get("description", ""), re.DOTALL)
            if found:
                examples[f"{schema}.{model['name']}"] = found.group(1)
    return examples


def test_every_mart_and_analytics_view_shows_an_example_that_runs(built):
    """The example queries of the model docs (what the docs site and dbt-score show) run on a built
    warehouse, and return rows from every model that has rows."""
    db, _, _ = built
    examples = example_queries()
    assert {
        "main.ml_dataset",
        "main.ml_dataset_enriched",
        "main.ml_walk_forward_splits",
        "analytics.daily_features",
        "analytics.companies",
    } <= set(examples)
    con = duckdb.connect(str(db), read_only=True)
    try:
        for name, sql in examples.items():
            if con.sql(f"select count(*) from {name}").fetchall()[0][0]:  # some marts need a longer market
                assert con.sql(sql).fetchall(), f"{name}'s example returns no rows"
            else:
                con.sql(sql).fetchall()
    finally:
        con.close()
