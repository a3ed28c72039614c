"""Ingest benchmark: the full synthetic market from the fake server (a separate process) into DuckDB.

    python bench/bench_ingest.py                 # 4,000 codes × 5 years (≈ 4.9M bars), JSON by date
    python bench/bench_ingest.py --bulk          # the same through the bulk CSV files
    python bench/bench_ingest.py --codes 500     # smaller

Prints rows/s, requests/s and the loader's peak RSS. Targets (issue #2): ≥ 120,000 rows/s, ≤ 1 GB.
Not a test: these machines are shared and noisy, so figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import duckdb
import psutil

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(
                urllib.request.Request(
                    url + "/markets/calendar?from=2026-01-05&to=2026-01-05", headers={"x-api-key": "bench"}
                ),
                timeout=5,
            )
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("fake server did not come up")


@contextmanager
def fake_server(codes: int, years: float, plan: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """The fake J-Quants server with a synthetic market, in its own process: (base URL, process)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}/v2"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gogooku3",
            "fake-api",
            "--port",
            str(port),
            "--codes",
            str(codes),
            "--years",
            str(years),
            "--api-key",
            "bench",
            "--plan",
            plan,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    try:
        wait_ready(base)
        yield base, server
    finally:
        server.terminate()
        server.wait(30)


def loader_env(base: str, plan: str, db: Path) -> dict[str, str]:
    """Environment for `gogooku3 ingest` against the fake server, into `db`."""
    return {
        **os.environ,
        "JQUANTS_API_BASE": base,
        "JQUANTS_API_KEY": "bench",
        "JQUANTS_PLAN": plan,
        "JQUANTS_RATE_LIMIT": "0",
        "GOGOOKU3_DUCKDB": str(db),
    }


def load_fake_market(
    db: Path, codes: int, years: float, plan: str, start: date, end: date, datasets: str | None = None
) -> None:
    """Bulk-ingest a synthetic market of `codes` × `years` into `db` (benchmarks' set-up, untimed)."""
    with fake_server(codes, years, plan) as (base, _):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "gogooku3",
                "ingest",
                "--quiet",
                "--bulk",
                "--from",
                start.isoformat(),
                "--to",
                end.isoformat(),
                *(["--datasets", datasets] if datasets else []),
            ],
            env=loader_env(base, plan, db),
            cwd=ROOT,
            check=True,
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--codes", type=int, default=4000)
    ap.add_argument("--years", type=float, default=5)
    ap.add_argument("--bulk", action="store_true", help="load bars and statements from the bulk files")
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument(
        "--plan",
        default="light",
        choices=["light", "premium"],
        help="plan of the fake key: premium adds 26 morning/afternoon columns to every bar",
    )
    ap.add_argument("--datasets", default="calendar,master,bars,topix,investor_types,fins")
    ap.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = ap.parse_args()

    gogooku3 = [sys.executable, "-m", "gogooku3"]
    t0 = time.monotonic()
    with fake_server(args.codes, args.years, args.plan) as (base, server):
        print(
            f"fake server: {args.codes} codes × {args.years:g} years built in {time.monotonic() - t0:.1f} s (separate process)"
        )
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "bench.duckdb"
            cmd = [
                *gogooku3,
                "ingest",
                "--quiet",
                "--concurrency",
                str(args.concurrency),
                "--datasets",
                args.datasets,
                "--from",
                "2021-11-25",
                "--to",
                "2026-10-30",
                *(["--bulk"] if args.bulk else []),
            ]
            server_cpu_before = sum(psutil.Process(server.pid).cpu_times()[:2])
            t0 = time.monotonic()
            loader = subprocess.run(
                cmd, env=loader_env(base, args.plan, db), cwd=ROOT, capture_output=True, text=True, check=False
            )
            wall = time.monotonic() - t0
            usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # the loader only: the server still runs
            peak_kib, loader_cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
            server_cpu = sum(psutil.Process(server.pid).cpu_times()[:2]) - server_cpu_before
            if loader.returncode != 0:
                sys.exit(f"loader failed ({loader.returncode}):\n{loader.stderr[-3000:]}")
            con = duckdb.connect(str(db), read_only=True)
            bars = con.sql("select count(*) from raw.equities_bars_daily").fetchall()[0][0]
            total = con.sql("select sum(rows) from raw._loads where dataset <> '_run' and status = 'ok'").fetchall()[0][
                0
            ]
            requests = int(
                con.sql("select count(*) from raw._loads where dataset <> '_run' and unit <> '_plan'").fetchall()[0][0]
            )
            size_mb = db.stat().st_size / 1e6
            con.close()
        with urllib.request.urlopen(
            urllib.request.Request(
                base + "/markets/calendar?from=2026-01-05&to=2026-01-05", headers={"x-api-key": "bench"}
            )
        ):
            pass  # the server outlived the load
    figures = {
        "mode": "bulk CSV" if args.bulk else "JSON by date",
        "plan": args.plan,
        "codes": args.codes,
        "years": args.years,
        "bars": bars,
        "rows": int(total),
        "units": requests,
        "seconds": round(wall, 2),
        "rows_per_s": round(total / wall),
        "bars_per_s": round(bars / wall),
        "units_per_s": round(requests / wall, 1),
        "loader_peak_rss_mb": round(peak_kib / 1024),
        "duckdb_mb": round(size_mb),
        "loader_cpu_s": round(loader_cpu, 1),
        "server_cpu_s": round(server_cpu, 1),
    }
    print(json.dumps(figures, indent=2))
    print(
        f"\n{figures['mode']}: {bars:,} bars ({total:,} rows in all) in {wall:.1f} s → {figures['rows_per_s']:,} rows/s "
        f"(target ≥ 120,000), {figures['units_per_s']} units/s, loader peak RSS {figures['loader_peak_rss_mb']} MB (target ≤ 1,024)"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
