"""The Dagster code location: the loader's datasets and the dbt project as one asset graph, a daily
schedule after J-Quants publishes the day, and the analysts' copy as the last asset.

    dagster dev -m gogooku3.orchestration.definitions        # or: make orchestrate (offline, fake API)

Configured by the same environment as the commands: JQUANTS_API_KEY, JQUANTS_API_BASE, JQUANTS_PLAN,
JQUANTS_RATE_LIMIT and GOGOOKU3_DUCKDB (see the README). Needs the `orchestrate` extra.
"""

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from ingest.client import RetryPolicy
from ingest.config import Settings
from ingest.loader import IngestOptions
from ingest.schema import DATASETS

from ..cli import run_ingest
from ..warehouse.publish import publish_snapshot

REPO_ROOT = Path(__file__).resolve().parents[2]
TOKYO = ZoneInfo("Asia/Tokyo")
#: the first day of the daily partitions (bars, statements): the Premium plan's reach, 20 years back
PARTITIONS_START = os.environ.get("GOGOOKU3_PARTITIONS_START", "2006-01-01")
DAILY = dg.DailyPartitionsDefinition(start_date=PARTITIONS_START, timezone="Asia/Tokyo", end_offset=1)
#: loader datasets loaded a day at a time; the others are loaded over their natural range
PARTITIONED = ("bars", "fins")
#: the loader's retries of a failing request (gogooku3 ingest's defaults)
RETRY = RetryPolicy()


def raw_key(dataset: str) -> dg.AssetKey:
    """The asset of a raw table: the key dbt's source for it maps to (see Translator)."""
    return dg.AssetKey(["raw", DATASETS[dataset].table])


def load(dataset: str, context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """Run the project's loader for one dataset (a day of it when partitioned), as `gogooku3 ingest`
    does (its run recorded in the warehouse); rows and units as metadata."""
    day = date.fromisoformat(context.partition_key) if context.has_partition_key else None
    options = IngestOptions(datasets=(dataset,), start=day, end=day, retry=RETRY)
    report = run_ingest(Settings.from_env(), options, quiet=True)
    metadata = {
        "rows": dg.MetadataValue.int(report.rows.get(dataset, 0)),
        "units": dg.MetadataValue.int(report.units.get(dataset, 0)),
        "requests": dg.MetadataValue.int(report.requests),
        "seconds": dg.MetadataValue.float(round(report.seconds, 2)),
        "table": dg.MetadataValue.text(f"raw.{DATASETS[dataset].table}"),
    }
    if not report.ok:
        reasons = [f"{unit}: {error}" for unit, error in report.failures] + list(report.not_loaded.values())
        raise dg.Failure(description=f"{dataset}: {len(reasons)} failed — {reasons[0]}", metadata=metadata)
    return dg.MaterializeResult(metadata=metadata)


def raw_asset(dataset: str) -> dg.AssetsDefinition:
    spec = DATASETS[dataset]

    @dg.asset(
        key=raw_key(dataset),
        group_name="raw",
        partitions_def=DAILY if dataset in PARTITIONED else None,
        description=f"`gogooku3 ingest --datasets {dataset}`: {spec.description}",
        kinds={"duckdb", "python"},
    )
    def _load(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        return load(dataset, context)

    return _load


RAW_ASSETS = [raw_asset(name) for name in DATASETS]


class Translator(DagsterDbtTranslator):
    """dbt's sources become the raw-table assets above, so the graph runs from the API to the marts."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey(["raw", dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "source":
            return "raw"
        # the schema a node is built in (seeds: quality), else its folder (marts: main)
        return dbt_resource_props.get("config", {}).get("schema") or dbt_resource_props["fqn"][1]


def manifest_path() -> Path:
    """dbt's manifest, parsed once if this checkout has none yet (dagster dev parses it again on start)."""
    project = DbtProject(project_dir=REPO_ROOT, profiles_dir=REPO_ROOT)
    project.prepare_if_dev()
    if not project.manifest_path.exists():
        subprocess.run(
            [str(Path(sys.executable).with_name("dbt")), "parse", "--profiles-dir", str(REPO_ROOT), "--quiet"],
            cwd=REPO_ROOT,
            check=True,
        )
    return project.manifest_path


@dbt_assets(manifest=manifest_path(), dagster_dbt_translator=Translator(), exclude="macro_checks")
def dbt_project_assets(context: dg.AssetExecutionContext, dbt: DbtCliResource) -> Iterator[object]:
    """`dbt build`: every model, its data tests as asset checks (error-level ones fail the run)."""
    yield from dbt.cli(["build"], context=context).stream()  # the selection above: dagster-dbt passes it


@dg.asset(
    # after the marts and the analytics views (models in schema main have one-part keys)
    deps=[k for k in dbt_project_assets.keys if len(k.path) == 1 or k.path[0] == "analytics"],
    group_name="publish",
    kinds={"duckdb"},
)
def analysts_copy() -> dg.MaterializeResult:
    """`gogooku3 publish`: the read-only copy analysts open, swapped in atomically after the build."""
    settings = Settings.from_env()
    path, seconds = publish_snapshot(settings.duckdb_path)
    return dg.MaterializeResult(
        metadata={"path": dg.MetadataValue.path(str(path)), "seconds": dg.MetadataValue.float(round(seconds, 2))}
    )


daily_job = dg.define_asset_job("daily", selection=dg.AssetSelection.all())


def is_trading_day(day: date) -> tuple[bool, str]:
    """(is it, why): the warehouse's J-Quants calendar decides (staging's is_trading_day); without one
    yet, Monday to Friday."""
    try:
        con = duckdb.connect(str(Settings.from_env().duckdb_path), read_only=True)
    except duckdb.Error as exc:
        return day.weekday() < 5, f"weekday rule (the warehouse cannot be read: {str(exc).splitlines()[0]})"
    try:
        row = con.execute(
            "select is_trading_day, holiday_division from staging.stg_jquants__trading_calendar where calendar_date = ?",
            [day],
        ).fetchone()
    except duckdb.Error:
        row = None
    finally:
        con.close()
    if row is None:
        return day.weekday() < 5, "weekday rule (the calendar does not cover the day yet)"
    return row[0], f"J-Quants calendar: HolDiv {row[1]}"


@dg.schedule(job=daily_job, cron_schedule="45 16 * * *", execution_timezone="Asia/Tokyo")
def after_the_close(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
    """16:45 JST, after J-Quants publishes the day's bars (about 16:30): the day's partition, on
    trading days only."""
    moment = context.scheduled_execution_time or datetime.now(TOKYO)
    day = moment.astimezone(TOKYO).date()
    trading, why = is_trading_day(day)
    if not trading:
        return dg.SkipReason(f"{day} is not a trading day ({why})")
    return dg.RunRequest(partition_key=day.isoformat(), tags={"trading_day_rule": why})


defs = dg.Definitions(
    assets=[*RAW_ASSETS, dbt_project_assets, analysts_copy],
    jobs=[daily_job],
    schedules=[after_the_close],
    resources={
        "dbt": DbtCliResource(
            project_dir=str(REPO_ROOT),
            profiles_dir=str(REPO_ROOT),
            dbt_executable=str(Path(sys.executable).with_name("dbt")),  # the one installed beside this Python
        )
    },
)
