"""Kill the loader (a real process: SIGKILL or Ctrl-C's SIGINT) at many moments, rerun it open-ended
(`gogooku3 ingest --to …`, no `--from`): every raw table equals an uninterrupted load's.

A unit's rows and its ledger row are one transaction, so there is no moment "between commit and
ledger"; the moments that matter are before the calendar, with a unit in flight while later units
commit (the slow first unit), and in the middle of the run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from gogooku3.fakeapi.server import Fault
from tests.conftest import RAW_TABLES, ingest, query

START, END = date(2024, 1, 4), date(2024, 3, 29)
FIRST_STATEMENTS = date(2024, 1, 25)  # the small market's first disclosure day in START..END
ARGS = ["--to", END.isoformat(), "--concurrency", "4", "--backoff", "0.01"]


def _env(api, db) -> dict[str, str]:
    return {
        **os.environ,
        "JQUANTS_API_BASE": api.base_url,
        "JQUANTS_API_KEY": "test-key",
        "JQUANTS_PLAN": "premium",
        "JQUANTS_RATE_LIMIT": "0",
        "GOGOOKU3_DUCKDB": str(db),
        "COLUMNS": "250",
    }


def fingerprint(db: Path) -> dict[str, tuple[int, int]]:
    """Each raw table's row count and order-independent content hash."""
    return {t: tuple(query(db, f"select count(*), coalesce(sum(hash(r)), 0) from raw.{t} as r")[0]) for t in RAW_TABLES}


@pytest.fixture(scope="module")
def reference(small_market, tmp_path_factory) -> dict[str, tuple[int, int]]:
    """An uninterrupted load of START..END."""
    from gogooku3.fakeapi.server import FakeJQuants, ServerConfig

    db = tmp_path_factory.mktemp("reference") / "reference.duckdb"
    with FakeJQuants(small_market, ServerConfig(api_keys={"test-key": "premium"})) as api:
        assert ingest(api, db, start=START, end=END, today=date.today()).ok
    return fingerprint(db)


def kill_after(api, db: Path, sig: signal.Signals, marker: str, count: int) -> list[str]:
    """Start `gogooku3 ingest --from START --to END --verbose`; send `sig` once `count` log lines
    contain `marker`. Returns the lines read."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "gogooku3", "ingest", "--from", START.isoformat(), *ARGS, "--verbose"],
        env=_env(api, db),
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stderr is not None
    lines, seen, deadline = [], 0, time.monotonic() + 120
    while seen < count and time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        lines.append(line)
        seen += marker in line
    os.kill(proc.pid, sig)
    proc.communicate(timeout=60)
    assert seen >= count, f"the loader ended before {count} × {marker!r}:\n{''.join(lines[-20:])}"
    return lines


# (name, signal, faults while the first run is killed, marker, how many, what must be missing at the kill)
MOMENTS = [
    (
        "before the calendar",
        signal.SIGKILL,
        [Fault("slow", "/markets/calendar", None, delay=30)],
        "planned",
        1,
        "calendar",
    ),
    (
        "before the calendar, Ctrl-C",
        signal.SIGINT,
        [Fault("slow", "/markets/calendar", None, delay=30)],
        "planned",
        1,
        "calendar",
    ),
    (
        "slow first statements day",
        signal.SIGKILL,
        [
            Fault("slow", "/fins/summary", None, {"date": FIRST_STATEMENTS.isoformat()}, delay=30),
            Fault("slow", "/equities/bars/daily", None, delay=0.05),
        ],
        "committed fins",
        35,
        "fins",
    ),
    (
        "slow first statements day, Ctrl-C",
        signal.SIGINT,
        [
            Fault("slow", "/fins/summary", None, {"date": FIRST_STATEMENTS.isoformat()}, delay=30),
            Fault("slow", "/equities/bars/daily", None, delay=0.05),
        ],
        "committed fins",
        35,
        "fins",
    ),
    (
        "slow first bars day",
        signal.SIGKILL,
        [
            Fault("slow", "/equities/bars/daily", None, {"date": START.isoformat()}, delay=30),
            Fault("slow", "/equities/bars/daily", None, delay=0.05),
        ],
        "committed bars",
        10,
        "bars",
    ),
    ("mid-run", signal.SIGKILL, [Fault("slow", "/equities/bars/daily", None, delay=0.05)], "committed bars", 25, None),
]


@pytest.mark.slow
@pytest.mark.parametrize("name, sig, faults, marker, count, in_flight", MOMENTS, ids=[m[0] for m in MOMENTS])
def test_killed_at_any_moment_the_open_ended_rerun_loads_what_a_clean_run_loads(
    name, sig, faults, marker, count, in_flight, fake_api, reference, tmp_path
):
    db = tmp_path / "killed.duckdb"
    for fault in faults:
        fake_api.state.add_fault(fault)
    kill_after(fake_api, db, sig, marker, count)
    fake_api.state.config.faults.clear()

    killed = fingerprint(db)
    assert killed != reference, "the kill should land before the load is complete"
    if in_flight == "calendar":
        assert killed["markets_calendar"][0] == 0
    elif in_flight == "fins":  # the repro: later days committed while the first one was in flight
        assert fake_api.market.fins(day=FIRST_STATEMENTS).height > 0
        assert (
            min(fake_api.market.fins_frame["DiscDate"].filter(fake_api.market.fins_frame["DiscDate"] >= str(START)))
            == FIRST_STATEMENTS.isoformat()
        )
        first = query(db, "select count(*) from raw.fins_summary where DiscDate = ?", [FIRST_STATEMENTS])[0][0]
        later = query(db, "select count(*) from raw.fins_summary where DiscDate > ?", [FIRST_STATEMENTS])[0][0]
        assert first == 0 < later
    elif in_flight == "bars":
        first = query(db, "select count(*) from raw.equities_bars_daily where Date = ?", [START])[0][0]
        later = query(db, "select count(*) from raw.equities_bars_daily where Date > ?", [START])[0][0]
        assert first == 0 < later
    # what was committed is whole: every committed bar day has all its codes
    for day, n in query(db, "select Date, count(*) from raw.equities_bars_daily group by 1"):
        assert n == fake_api.market.bars(day=day).height

    before = fake_api.state.requests["/equities/bars/daily"]
    days_with_bars = query(db, "select count(distinct Date) from raw.equities_bars_daily")[0][0]
    rerun = subprocess.run(
        [sys.executable, "-m", "gogooku3", "ingest", *ARGS, "--quiet"],
        env=_env(fake_api, db),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert rerun.returncode == 0, rerun.stderr
    assert fingerprint(db) == reference
    sessions = [d for d in fake_api.market.sessions if START <= d <= END]
    assert fake_api.state.requests["/equities/bars/daily"] - before == len(sessions) - days_with_bars  # exactly the gap


@pytest.mark.slow
def test_a_failed_calendar_reports_what_it_did_not_load_and_the_rerun_plans_the_same_range(
    fake_api, reference, tmp_path
):
    db = tmp_path / "w.duckdb"
    fake_api.state.add_fault(Fault("500", "/markets/calendar", None))
    first = subprocess.run(
        [sys.executable, "-m", "gogooku3", "ingest", "--from", START.isoformat(), *ARGS, "--retries", "2"],
        env=_env(fake_api, db),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert first.returncode == 1
    err = " ".join(first.stderr.split())
    assert "not loaded" in err and "master" in err and "bars" in err and "trading calendar" in err
    assert query(db, "select count(*) from raw.equities_bars_daily")[0][0] == 0
    fake_api.state.config.faults.clear()

    rerun = subprocess.run(
        [sys.executable, "-m", "gogooku3", "ingest", *ARGS, "--quiet"],
        env=_env(fake_api, db),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert rerun.returncode == 0, rerun.stderr
    assert fingerprint(db) == reference  # the four months, not the plan's twenty years
