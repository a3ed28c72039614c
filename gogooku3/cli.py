"""The ``gogooku3`` command: ingest, fake-api, demo, build, publish, docs, export, quality."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import nullcontext
from dataclasses import replace
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.logging import RichHandler
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ingest.client import ApiError, AuthError, HostUnreachable, RetryPolicy
from ingest.config import ConfigError, Settings
from ingest.loader import IngestOptions, IngestReport, Loader, parse_markets
from ingest.schema import DATASETS
from ingest.store import Warehouse, WarehouseError, connect, now

from . import __version__
from .fakeapi.market import QUALITY_PROBLEMS

console = Console(stderr=True)
DEMO_CODES, DEMO_YEARS = 300, 3
REPO_ROOT = Path(__file__).resolve().parent.parent


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in YYYY-MM-DD form") from None


def _csv(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.split(",") if p.strip())


def _setup_logging(verbose: bool, quiet: bool) -> None:
    level = logging.INFO if verbose else logging.ERROR if quiet else logging.WARNING
    logging.basicConfig(
        level=level, format="%(message)s", handlers=[RichHandler(console=console, show_path=False)], force=True
    )
    logging.getLogger("aiohttp").setLevel(logging.WARNING)


# ------------------------------------------------------------------------------------------ ingest
def add_ingest_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--from",
        dest="start",
        type=_date,
        metavar="YYYY-MM-DD",
        help="first date to load (default: resume where the last load started, else the plan's window start)",
    )
    p.add_argument("--to", dest="end", type=_date, metavar="YYYY-MM-DD", help="last date to load (default: today, JST)")
    p.add_argument(
        "--datasets",
        type=_csv,
        default=tuple(DATASETS),
        metavar="LIST",
        help=f"comma-separated subset of: {', '.join(DATASETS)} (default: all the plan allows)",
    )
    p.add_argument(
        "--codes",
        dest="codes_given",
        default=None,
        metavar="LIST",
        help="load bars and statements for these codes only, one query per code (e.g. 72030,86970)",
    )
    p.add_argument(
        "--market",
        dest="markets",
        default="",
        metavar="LIST",
        help="restrict bars and statements to codes listed in these markets: prime,standard,growth (or 0111,0112,0113)",
    )
    p.add_argument(
        "--bulk",
        action="store_true",
        help="backfill bars and statements from the bulk CSV files (Light plan and above)",
    )
    p.add_argument("--refresh", action="store_true", help="re-fetch units that are already loaded (default: skip them)")
    p.add_argument(
        "--concurrency", type=int, default=16, metavar="N", help="requests in flight at once, 1-150 (default 16)"
    )
    p.add_argument(
        "--retries",
        type=int,
        default=5,
        metavar="N",
        help="tries per request on 5xx/network/malformed responses (default 5)",
    )
    p.add_argument(
        "--backoff",
        type=float,
        default=0.5,
        metavar="SECONDS",
        help="first retry delay, doubled per try, jittered (default 0.5)",
    )
    p.add_argument(
        "--pause-on-429",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="how long every request waits after HTTP 429 without Retry-After (default 60, as J-Quants asks)",
    )
    p.add_argument(
        "--fake",
        action="store_true",
        help="ingest from an in-process fake J-Quants server (offline; ignores JQUANTS_API_*)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars, errors only")
    p.add_argument("-v", "--verbose", action="store_true", help="log every request retry and every committed unit")


#: a listed issue's code as J-Quants writes it: 5 characters (72030, 130A0), or the 4-character short form
CODE_PATTERN = re.compile(r"[0-9][0-9A-Z]{3}[0-9A-Z]?")


def options_from(args: argparse.Namespace) -> IngestOptions:
    if args.start and args.end and args.start > args.end:
        raise ConfigError(f"--from {args.start} is after --to {args.end}")
    if not args.datasets:
        raise ConfigError(f"--datasets is empty; name one or more of {', '.join(DATASETS)}, or leave it out for all")
    unknown = set(args.datasets) - set(DATASETS)
    if unknown:
        raise ConfigError(f"unknown dataset(s) {', '.join(sorted(unknown))}; choose from {', '.join(DATASETS)}")
    codes = tuple(c.upper() for c in _csv(args.codes_given or ""))
    bad = [c for c in codes if not CODE_PATTERN.fullmatch(c)]
    if bad or (args.codes_given is not None and not codes):
        shown = ", ".join(repr(c) for c in bad) or repr(args.codes_given)
        raise ConfigError(f"--codes {shown}: a code is 4 or 5 letters and digits, e.g. --codes 72030,86970")
    if not 1 <= args.concurrency <= 150:
        raise ConfigError("--concurrency must be between 1 and 150")
    if args.retries < 1:
        raise ConfigError(f"--retries {args.retries}: tries per request must be at least 1")
    if args.backoff < 0:
        raise ConfigError(f"--backoff {args.backoff}: the first retry delay cannot be negative")
    if args.pause_on_429 <= 0:
        raise ConfigError(
            f"--pause-on-429 {args.pause_on_429}: the pause after HTTP 429 must be positive "
            "(J-Quants asks for at least 60 seconds)"
        )
    try:
        markets = parse_markets(args.markets)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    retry = RetryPolicy(
        attempts=args.retries, backoff=args.backoff, pause_on_429=args.pause_on_429, lockout_pause=5 * args.pause_on_429
    )
    return IngestOptions(
        start=args.start,
        end=args.end,
        datasets=tuple(dict.fromkeys(args.datasets)),
        codes=codes,
        markets=markets,
        bulk=args.bulk,
        refresh=args.refresh,
        concurrency=args.concurrency,
        retry=retry,
    )


def run_ingest(settings: Settings, options: IngestOptions, quiet: bool = False) -> IngestReport:
    """Run one load with progress bars; raises on configuration and authentication errors."""
    wh = Warehouse(settings.duckdb_path)
    started = time.time()
    run_started = now()
    progress = Progress(
        TextColumn("{task.description:<16}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rows]:>10,} rows"),
        TimeElapsedColumn(),
        console=console,
        disable=quiet,
        transient=False,
    )
    tasks: dict[str, int] = {}

    def plan_hook(dataset: str, units: int) -> None:
        tasks[dataset] = progress.add_task(dataset, total=units, rows=0)

    def on_progress(dataset: str, key: str, rows: int, pages: int | None) -> None:
        if dataset in tasks:
            t = tasks[dataset]
            progress.update(t, advance=1, rows=progress.tasks[t].fields["rows"] + rows)

    loader = Loader(settings, options, wh, on_progress)
    status, error = "ok", None
    try:
        with progress:
            report = asyncio.run(loader.run(plan_hook))
        if not report.ok:
            status = "failed"
        return report
    except BaseException as exc:
        status, error = "failed", f"{type(exc).__name__}: {exc}"
        raise
    finally:
        rep = loader.report
        try:
            wh.record_run(
                rep.run_id,
                {
                    "argv": sys.argv[1:],
                    "plan": settings.plan,
                    "api_base": settings.api_base,
                    "seconds": round(time.time() - started, 3),
                },
                rep.total_rows,
                run_started,
                status,
                error,
            )
        finally:
            wh.close()


def print_report(report: IngestReport, path: Path) -> None:
    table = Table(title=f"gogooku3 ingest → {path}  (run {report.run_id})", title_justify="left")
    table.add_column("dataset")
    table.add_column("rows", justify="right")
    for name, rows in sorted(report.rows.items()):
        table.add_row(name, f"{rows:,}")
    console.print(table)
    rate = report.total_rows / report.seconds if report.seconds else 0
    console.print(
        f"{report.units['ok']} units committed, {report.units['failed']} failed; {report.requests:,} requests, "
        f"{report.bytes / 1e6:,.1f} MB in {report.seconds:,.1f} s ({rate:,.0f} rows/s)"
    )
    for note in report.notes:
        console.print(f"[yellow]note:[/] {note}")
    if report.failures:
        console.print(
            f"[red]{len(report.failures)} unit(s) failed and were recorded in raw._loads; rerun to retry them:[/]"
        )
        for label, error in report.failures[:20]:
            console.print(f"  [red]✗[/] {label}: {error}")
        if len(report.failures) > 20:
            console.print(f"  … and {len(report.failures) - 20} more")
    for dataset, reason in report.not_loaded.items():
        console.print(f"[red]{dataset} not loaded:[/] {reason}; the next run plans it for the same range")


def cmd_ingest(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    options = options_from(args)
    if args.fake:
        from .fakeapi.server import FakeJQuants

        with console.status("building the synthetic market…", spinner="dots") if not args.quiet else nullcontext():
            api = FakeJQuants().start()
        settings = replace(settings, api_key=api.api_key, api_base=api.base_url, plan="light", rate_limit=0)
    elif not settings.api_key:
        raise ConfigError(
            "JQUANTS_API_KEY is not set. Copy your key from the J-Quants dashboard into JQUANTS_API_KEY, "
            "or work offline: `gogooku3 ingest --fake`, `gogooku3 demo`, or `gogooku3 fake-api` plus "
            "JQUANTS_API_BASE=http://127.0.0.1:8765/v2 JQUANTS_API_KEY=fake-key."
        )
    report = run_ingest(settings, options, quiet=args.quiet)
    if not args.quiet or not report.ok:
        print_report(report, settings.duckdb_path)
    return 0 if report.ok else 1


# ------------------------------------------------------------------------------------------ fake-api
def add_fake_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    p.add_argument("--codes", type=int, default=DEMO_CODES, help=f"number of listed issues (default {DEMO_CODES})")
    p.add_argument("--years", type=float, default=5, help="years of history (default 5)")
    p.add_argument(
        "--end", type=_date, default=date(2026, 10, 30), help="last trading date of the market (default 2026-10-30)"
    )
    p.add_argument("--seed", type=int, default=20260601, help="random seed: same seed, same market")
    p.add_argument("--api-key", default="fake-key", help="the accepted x-api-key (default fake-key)")
    p.add_argument(
        "--plan",
        default="light",
        choices=["free", "light", "standard", "premium"],
        help="plan of that key (default light)",
    )
    p.add_argument("--page-size", type=int, default=10_000, help="rows per page before pagination_key (default 10000)")
    p.add_argument("--rate-limit", type=int, default=None, help="answer 429 above this many requests/minute")
    p.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="KIND[:PATH[:TIMES[:SECONDS]]]",
        help="inject failures, e.g. 429:/equities/bars/daily:3, 500::2, bad_json:/fins/summary:*, "
        "429::2:30 (with Retry-After: 30), slow:/fins/summary:*:8 (8 s late) "
        "(kinds: 429 500 502 503 slow drop truncate bad_json missing_field wrong_type)",
    )
    p.add_argument(
        "--plant",
        action="append",
        default=[],
        metavar="PROBLEM",
        choices=sorted(QUALITY_PROBLEMS),
        help="plant a data-quality problem in the market for `gogooku3 quality` to find; repeatable "
        f"({', '.join(sorted(QUALITY_PROBLEMS))})",
    )


def cmd_fake_api(args: argparse.Namespace) -> int:
    from .fakeapi.market import MarketConfig, SyntheticMarket
    from .fakeapi.server import Fault, ServerConfig, serve_forever

    try:
        faults = [Fault.parse(f) for f in args.fault]
    except ValueError as exc:
        raise ConfigError(f"--fault: {exc}") from None
    # listen first: an ingest started right after this command waits for the market instead of being refused
    try:
        listener = socket.create_server((args.host, args.port), backlog=1024)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    with console.status(f"building a synthetic market of {args.codes} codes × {args.years:g} years…"):
        market_config = MarketConfig.years_back(args.codes, args.years, end=args.end, seed=args.seed)
        market = SyntheticMarket(replace(market_config, quality_problems=tuple(args.plant)))
    for p in market.planted:
        console.print(f"planted {p['problem']} on {p['code']} at {p['date']}")
    config = ServerConfig(
        api_keys={args.api_key: args.plan}, page_size=args.page_size, rate_limit=args.rate_limit, faults=faults
    )
    console.print(
        f"fake J-Quants v2 on http://{args.host}:{args.port}/v2 — {len(market.codes)} codes, "
        f"{market.sessions[0]} … {market.sessions[-1]}, key {args.api_key!r} ({args.plan})\n"
        f"  export JQUANTS_API_BASE=http://{args.host}:{args.port}/v2 JQUANTS_API_KEY={args.api_key} "
        f"JQUANTS_PLAN={args.plan} JQUANTS_RATE_LIMIT=0"
    )
    serve_forever(market, config, listener)
    return 0


# ------------------------------------------------------------------------------------------ demo
def cmd_demo(args: argparse.Namespace) -> int:
    from .fakeapi.market import MarketConfig
    from .fakeapi.server import FakeJQuants

    settings = Settings.from_env()
    market = MarketConfig.years_back(args.codes, args.years)
    console.rule(
        f"1/2 ingest {args.codes} codes × {args.years:g} years from the fake J-Quants API → {settings.duckdb_path}"
    )
    with console.status("building the synthetic market…"):
        api = FakeJQuants(market).start()
    try:
        settings = replace(settings, api_key=api.api_key, api_base=api.base_url, plan="light", rate_limit=0)
        options = IngestOptions(start=market.start, end=market.end, today=market.end)
        report = run_ingest(settings, options, quiet=args.quiet)
        print_report(report, settings.duckdb_path)
        if not report.ok:
            return 1
    finally:
        api.stop()
    if args.skip_dbt:
        return 0
    console.rule("2/2 dbt build")
    code = run_dbt(["build"], settings.duckdb_path)
    if code == 0:
        publish(settings)
    return code


def run_dbt(dbt_args: list[str], duckdb_path: Path) -> int:
    """Run dbt in a subprocess (a programmatic dbtRunner can keep the file locked) from the repo root.

    The child stops with this process: on Ctrl-C, on SIGTERM (`kill`) or any error here it is
    terminated and waited for, so no `dbt docs serve` keeps the port, nor a build the file."""
    env = {**os.environ, "GOGOOKU3_DUCKDB": str(Path(duckdb_path).resolve())}
    dbt = Path(sys.executable).with_name("dbt")
    cmd = [
        str(dbt) if dbt.exists() else "dbt",
        *dbt_args,
        "--profiles-dir",
        str(REPO_ROOT),
        "--project-dir",
        str(REPO_ROOT),
    ]
    child = subprocess.Popen(cmd, env=env, cwd=REPO_ROOT)
    # SIGINT too: a process started in the background inherits it ignored, and `kill -INT` must still stop it
    handlers = {signal.SIGTERM: _terminated, signal.SIGINT: signal.default_int_handler}
    previous = {}
    if threading.current_thread() is threading.main_thread():
        previous = {signum: signal.signal(signum, handler) for signum, handler in handlers.items()}
    try:
        return child.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM handler: unwind like Ctrl-C, so the caller's cleanup runs (exit code 143)."""
    raise SystemExit(128 + signum)


# ------------------------------------------------------------------------------------------ build / publish
def publish(settings: Settings) -> None:
    from .warehouse.publish import publish_snapshot

    try:
        path, seconds = publish_snapshot(settings.duckdb_path)
    except (FileNotFoundError, ValueError) as exc:
        raise ConfigError(str(exc)) from None
    console.print(f"published {path} for analysts in {seconds:.1f} s (open it read-only; reconnect to see new builds)")


def cmd_publish(args: argparse.Namespace) -> int:
    publish(Settings.from_env())
    return 0


def check_openable(path: Path) -> None:
    """Fail with one line, before dbt starts, when the warehouse is locked by another process or not DuckDB."""
    if path.exists():
        connect(path).close()


def cmd_build(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    check_openable(settings.duckdb_path)
    code = run_dbt(["build", *args.dbt_args], settings.duckdb_path)
    if code == 0 and not args.no_publish:
        publish(settings)
    return code


# ------------------------------------------------------------------------------------------ docs
def cmd_docs(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    if not settings.duckdb_path.exists():
        raise ConfigError(
            f"{settings.duckdb_path} does not exist: run `gogooku3 demo` or `gogooku3 ingest` and `dbt build` first"
        )
    check_openable(settings.duckdb_path)
    code = run_dbt(["docs", "generate", "--static"], settings.duckdb_path)
    if code != 0:
        return code
    console.print(f"static single-file site: {REPO_ROOT / 'target' / 'static_index.html'}")
    if args.no_serve:
        return 0
    url = f"http://127.0.0.1:{args.port}"
    console.print(f"serving the docs site on {url} (Ctrl-C to stop)")
    console.print(f"the lineage of ml_dataset: {url}/#!/overview?g_v=1&g_i=%2Bml_dataset%2B")
    return run_dbt(
        ["docs", "serve", "--port", str(args.port), "--host", "127.0.0.1", "--no-browser"], settings.duckdb_path
    )


# ------------------------------------------------------------------------------------------ export
def cmd_export(args: argparse.Namespace) -> int:
    from .warehouse.export import DATASETS, export_datasets
    from .warehouse.lake import DestinationError

    settings = Settings.from_env()
    target = args.to
    if args.out is not None:
        console.print("[yellow]--out is deprecated[/]: use --to (a folder or s3://bucket/prefix)")
        target = str(args.out)
    datasets = DATASETS if args.enriched else DATASETS[:1]
    try:
        with console.status(f"exporting {', '.join(datasets)} from {settings.duckdb_path} to {target}…") as status:
            manifest = export_datasets(
                settings.duckdb_path,
                target,
                REPO_ROOT,
                datasets=datasets,
                progress=lambda path: status.update(f"wrote {path}"),
            )
    except (FileNotFoundError, LookupError, DestinationError) as exc:
        raise ConfigError(str(exc)) from None
    for name, dataset in manifest["datasets"].items():
        console.print(
            f"{name}: {dataset['rows']:,} rows, {dataset['n_codes']:,} codes, "
            f"{dataset['date_min']} … {dataset['date_max']}, {len(dataset['files'])} partitions, "
            f"content sha256 {dataset['content_sha256'][:16]}…"
        )
    changes = manifest["changes"]
    console.print(
        f"→ {target}: {len(changes['written'])} files written, {changes['unchanged']} unchanged, "
        f"{len(changes['deleted'])} deleted; manifest {target.rstrip('/')}/_manifest.json"
    )
    return 0


# ------------------------------------------------------------------------------------------ quality
STATUS_STYLE = {"pass": "green", "warn": "yellow", "fail": "bold red", "not run": "dim"}


def cmd_quality(args: argparse.Namespace) -> int:
    from .warehouse.quality import read_report

    settings = Settings.from_env()
    try:
        report = read_report(settings.duckdb_path, on=args.date, days=args.days)
    except (FileNotFoundError, LookupError, ValueError) as exc:
        raise ConfigError(str(exc)) from None
    span = f"{report.start}" if report.start == report.end else f"{report.start} … {report.end}"
    table = Table(title=f"data quality of {settings.duckdb_path.name}, {span}", title_justify="left")
    for name, kw in (
        ("check", {}),
        ("severity", {}),
        ("status", {}),
        ("flagged", {"justify": "right"}),
        ("checked", {"justify": "right"}),
        ("examples / detail", {"overflow": "fold"}),
    ):
        table.add_column(name, **kw)
    for c in report.checks:
        shown = ", ".join(c.examples[:5]) + (f" — {c.detail}" if c.detail else "")
        style = STATUS_STYLE[c.status]
        table.add_row(
            c.check_name, c.severity, f"[{style}]{c.status}[/]", f"{c.n_flagged:,}", f"{c.n_checked:,}", shown
        )
    Console().print(table)
    severities = ("error", "warn") if args.fail_on == "warn" else ("error",)
    failing = report.failing(severities)
    if failing:
        console.print(
            f"[red]{len(failing)} check(s) at {args.fail_on} level or above flagged data:[/] "
            + ", ".join(c.check_name for c in failing)
        )
        return 1
    return 0


# ------------------------------------------------------------------------------------------ main
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gogooku3",
        description="J-Quants → DuckDB → dbt: an ML-ready daily dataset of the Japanese equity market.",
        epilog="Environment: JQUANTS_API_KEY, JQUANTS_API_BASE, JQUANTS_PLAN, JQUANTS_RATE_LIMIT, GOGOOKU3_DUCKDB.",
    )
    parser.add_argument("--version", action="version", version=f"gogooku3 {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser(
        "ingest",
        help="load J-Quants data into the raw tables of the DuckDB warehouse",
        description="Load J-Quants API v2 data into DuckDB schema raw (idempotent, resumable).",
    )
    add_ingest_args(p)
    p.set_defaults(func=cmd_ingest)
    p = sub.add_parser(
        "fake-api",
        help="serve the fake J-Quants v2 API with a synthetic market",
        description="Serve a faithful fake of J-Quants API v2 on localhost (offline default).",
    )
    add_fake_args(p)
    p.set_defaults(func=cmd_fake_api)
    p = sub.add_parser(
        "demo",
        help="fake API → ingest → dbt build, offline, in about a minute",
        description="Start the fake API in-process, ingest a small market, run dbt build.",
    )
    p.add_argument("--codes", type=int, default=DEMO_CODES, help=f"listed issues (default {DEMO_CODES})")
    p.add_argument("--years", type=float, default=DEMO_YEARS, help=f"years of history (default {DEMO_YEARS})")
    p.add_argument("--skip-dbt", action="store_true", help="stop after the ingest")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=cmd_demo, verbose=False)
    p = sub.add_parser(
        "build",
        help="dbt build, then publish a read-only snapshot for analysts",
        description="Run `dbt build --profiles-dir .` into GOGOOKU3_DUCKDB, then publish the warehouse "
        "to <dir>/published/<name> (atomic replace) for analysts to open read-only.",
    )
    p.add_argument("--no-publish", action="store_true", help="only run dbt build")
    p.add_argument("dbt_args", nargs="*", metavar="DBT_ARG", help="extra arguments for dbt build (after --)")
    p.set_defaults(func=cmd_build)
    p = sub.add_parser(
        "publish",
        help="publish the warehouse as a read-only snapshot for analysts",
        description="Copy GOGOOKU3_DUCKDB to <dir>/published/<name> (or GOGOOKU3_PUBLISHED) and swap it in atomically.",
    )
    p.set_defaults(func=cmd_publish)
    p = sub.add_parser(
        "docs",
        help="generate the dbt docs lineage site (also as one static file) and serve it",
        description="Run `dbt docs generate --static` against GOGOOKU3_DUCKDB and serve the site on localhost.",
    )
    p.add_argument("--port", type=int, default=8080, help="port to serve on (default 8080)")
    p.add_argument(
        "--no-serve", action="store_true", help="only generate target/index.html and target/static_index.html"
    )
    p.set_defaults(func=cmd_docs)
    p = sub.add_parser(
        "export",
        help="write ml_dataset to Hive-partitioned Parquet in a folder or an S3-compatible bucket",
        description="Export ml_dataset (and ml_dataset_enriched with --enriched) from GOGOOKU3_DUCKDB as "
        "Parquet partitioned by year and month (zstd, rows in (code, date) order) under <dest>/<dataset>/, "
        "with <dest>/_manifest.json (every file with its rows and hash, dates, codes, features, targets, "
        "git commit, dbt invocation, what this export changed). Appends: only partitions whose rows changed "
        "are rewritten. The manifest is written last, so readers never see half an export. S3: "
        "--to s3://bucket/prefix with AWS_ENDPOINT_URL (MinIO, R2 …), AWS_ACCESS_KEY_ID, "
        "AWS_SECRET_ACCESS_KEY and AWS_REGION.",
    )
    p.add_argument(
        "--to",
        default="data/export",
        metavar="DEST",
        help="a local folder or s3://bucket/prefix (default data/export)",
    )
    p.add_argument("--enriched", action="store_true", help="also export ml_dataset_enriched")
    p.add_argument("--out", type=Path, default=None, help=argparse.SUPPRESS)  # deprecated: --to
    p.set_defaults(func=cmd_export)
    p = sub.add_parser(
        "quality",
        help="print the data-quality report; exit 1 when an error-level check fails",
        description="Print quality.dq_daily_report (built by dbt build) for the latest loaded day, or "
        "a window of days. Exit status: 0 all error-level checks pass, 1 one failed "
        "(or a warning, with --fail-on warn), 2 no report to read.",
    )
    p.add_argument(
        "--date", type=_date, metavar="YYYY-MM-DD", help="report on this loaded trading day (default: the latest)"
    )
    p.add_argument(
        "--days", type=int, default=1, metavar="N", help="summarize the N loaded trading days ending there (default 1)"
    )
    p.add_argument(
        "--fail-on",
        choices=["error", "warn"],
        default="error",
        help="lowest severity that makes the exit status 1 (default error)",
    )
    p.set_defaults(func=cmd_quality)
    return parser


#: the exit code of each error a command raises, the first match winning (the README's exit table)
EXIT_CODES: tuple[tuple[type[Exception], int], ...] = (
    (ConfigError, 2),  # bad arguments or settings
    (WarehouseError, 2),  # the warehouse file cannot be opened
    (AuthError, 3),  # J-Quants refused the key or the plan
    (HostUnreachable, 4),  # the API host cannot be reached
    (ApiError, 1),
    (RuntimeError, 1),
)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _setup_logging(getattr(args, "verbose", False), getattr(args, "quiet", False))
    try:
        return args.func(args)
    except KeyboardInterrupt:
        hint = (
            ": every committed unit is kept; rerun the same command to fill the gap" if args.func is cmd_ingest else ""
        )
        console.print(f"[yellow]interrupted[/]{hint}")
        return 130
    except Exception as exc:
        code = next((code for kind, code in EXIT_CODES if isinstance(exc, kind)), None)
        if code is None:
            raise
        console.print(f"[red]error:[/] {exc}")
        return code


if __name__ == "__main__":
    sys.exit(main())
