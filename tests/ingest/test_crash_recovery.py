"""Kill the loader mid-run (a real process, SIGKILL), rerun: the same tables as an uninterrupted run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date

from ingest.fakeapi.server import Fault
from tests.conftest import RAW_TABLES, ingest, query, table_contents


def _env(api, db) -> dict[str, str]:
    return {**os.environ, "JQUANTS_API_BASE": api.base_url, "JQUANTS_API_KEY": "test-key", "JQUANTS_PLAN": "premium",
            "JQUANTS_RATE_LIMIT": "0", "GOGOOKU3_DUCKDB": str(db), "COLUMNS": "200"}


ARGS = ["--from", "2024-01-04", "--to", "2024-04-30", "--concurrency", "2", "--backoff", "0.01"]


def test_sigkill_mid_run_then_rerun_gives_identical_tables(fake_api, tmp_path):
    killed_db, reference_db = tmp_path / "killed.duckdb", tmp_path / "reference.duckdb"
    fake_api.state.add_fault(Fault("slow", "/equities/bars/daily", times=None, delay=0.05))
    proc = subprocess.Popen([sys.executable, "-m", "ingest.cli", "ingest", *ARGS, "--verbose"],
                            env=_env(fake_api, killed_db), stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    committed = 0
    deadline = time.monotonic() + 120
    assert proc.stderr is not None
    while committed < 25 and time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        committed += "committed bars" in line
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)
    assert committed >= 25, "the loader never got going"
    fake_api.state.config.faults.clear()

    loaded = query(killed_db, "select count(*) from raw._loads where dataset = 'bars' and status = 'ok'")[0][0]
    sessions = [d for d in fake_api.market.sessions if date(2024, 1, 4) <= d <= date(2024, 4, 30)]
    assert 0 < loaded < len(sessions), "the kill should land mid-run"
    # what was committed is complete: every committed day has all its codes
    per_day = dict(query(killed_db, "select Date, count(*) from raw.equities_bars_daily group by 1"))
    for day, n in per_day.items():
        assert n == fake_api.market.bars(day=day).height

    before = fake_api.state.requests["/equities/bars/daily"]
    rerun = subprocess.run([sys.executable, "-m", "ingest.cli", "ingest", *ARGS, "--quiet"],
                           env=_env(fake_api, killed_db), capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert fake_api.state.requests["/equities/bars/daily"] - before == len(sessions) - loaded  # exactly the gap

    report = ingest(fake_api, reference_db, start=date(2024, 1, 4), end=date(2024, 4, 30), today=date.today())
    assert report.ok
    for table in RAW_TABLES:
        assert table_contents(killed_db, table) == table_contents(reference_db, table), table
