"""The command line: help, clear errors, exit codes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from gogooku3.cli import main


def run(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gogooku3", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
        check=False,
    )


@pytest.mark.parametrize("command", [[], ["ingest"], ["fake-api"], ["demo"]])
def test_every_command_has_help(command):
    out = run([*command, "--help"])
    assert out.returncode == 0 and "usage: gogooku3" in out.stdout


def test_missing_key_explains_both_ways_forward(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("JQUANTS_")}
    out = subprocess.run(
        [sys.executable, "-m", "gogooku3", "ingest"],
        capture_output=True,
        text=True,
        env={**env, "GOGOOKU3_DUCKDB": str(tmp_path / "w.duckdb"), "COLUMNS": "200"},
        check=False,
    )
    assert out.returncode == 2
    assert "JQUANTS_API_KEY is not set" in out.stderr and "--fake" in out.stderr


def test_bad_key_exits_3_with_the_reason(fake_api, tmp_path):
    out = run(
        ["ingest", "--from", "2024-01-04", "--to", "2024-01-10", "-q"],
        {
            "JQUANTS_API_BASE": fake_api.base_url,
            "JQUANTS_API_KEY": "wrong",
            "GOGOOKU3_DUCKDB": str(tmp_path / "w.duckdb"),
        },
    )
    assert out.returncode == 3 and "invalid or expired" in out.stderr


def test_failed_units_make_the_run_exit_non_zero_with_a_summary(fake_api, tmp_path):
    from gogooku3.fakeapi.server import Fault

    fake_api.state.add_fault(Fault("bad_json", "/fins/summary", times=None, params={"date": "2024-01-10"}))
    out = run(
        ["ingest", "--from", "2024-01-04", "--to", "2024-01-12", "--backoff", "0.01", "--retries", "2"],
        {
            "JQUANTS_API_BASE": fake_api.base_url,
            "JQUANTS_API_KEY": "test-key",
            "JQUANTS_PLAN": "premium",
            "JQUANTS_RATE_LIMIT": "0",
            "GOGOOKU3_DUCKDB": str(tmp_path / "w.duckdb"),
        },
    )
    assert out.returncode == 1
    assert "1 unit(s) failed" in out.stderr and "fins 2024-01-10" in out.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["ingest", "--from", "2024-02-01", "--to", "2024-01-01"], "is after --to"),
        (["ingest", "--market", "tokyo"], "unknown market"),
        (["ingest", "--datasets", "bars,prices"], "unknown dataset"),
        (["ingest", "--concurrency", "151"], "between 1 and 150"),
        (["ingest", "--retries", "0"], "at least 1"),
        (["ingest", "--retries", "-2"], "at least 1"),
        (["ingest", "--backoff", "-1"], "cannot be negative"),
        (["ingest", "--pause-on-429", "-5"], "must be positive"),
        (["ingest", "--pause-on-429", "0"], "must be positive"),
        (["ingest", "--datasets", ""], "--datasets is empty"),
        (["ingest", "--datasets", " , "], "--datasets is empty"),
        (["ingest", "--codes", "abc,;drop table x;--"], "a code is 4 or 5 letters and digits"),
        (["ingest", "--codes", ""], "a code is 4 or 5 letters and digits"),
        (["fake-api", "--fault", "500::1:30"], "--fault"),
    ],
)
def test_bad_arguments_are_explained(args, message, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("JQUANTS_API_KEY", "x")
    monkeypatch.setenv("GOGOOKU3_DUCKDB", str(tmp_path / "w.duckdb"))
    assert main(args) == 2
    assert message in capsys.readouterr().err.replace("\n", " ")


def test_bad_environment_is_explained(monkeypatch, capsys):
    monkeypatch.setenv("JQUANTS_PLAN", "gold")
    assert main(["ingest"]) == 2
    assert "JQUANTS_PLAN" in capsys.readouterr().err


@pytest.mark.parametrize(
    "base, message",
    [
        ("ftp://api.jquants.com/v2", "not an http(s) URL"),
        ("api.jquants.com/v2", "not an http(s) URL"),
        ("https://api.jquants.com", "does not end in /v2"),
        ("https://api.jquants.com/v1", "does not end in /v2"),
    ],
)
def test_a_wrong_api_base_is_a_configuration_error(base, message, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("JQUANTS_API_KEY", "x")
    monkeypatch.setenv("JQUANTS_API_BASE", base)
    monkeypatch.setenv("GOGOOKU3_DUCKDB", str(tmp_path / "w.duckdb"))
    assert main(["ingest"]) == 2
    assert message in capsys.readouterr().err.replace("\n", " ")
    assert not (tmp_path / "w.duckdb").exists()  # refused before anything was opened


def test_an_unreachable_host_fails_fast_with_one_message(tmp_path):
    # port 9 (discard) has no listener here: every connection is refused. The default retry policy and
    # the Light plan's 60/min limit, as a user would run it.
    db = tmp_path / "w.duckdb"
    out = run(
        ["ingest", "--from", "2024-01-01", "--to", "2024-01-31"],
        {
            "JQUANTS_API_BASE": "http://127.0.0.1:9/v2",
            "JQUANTS_API_KEY": "x",
            "JQUANTS_PLAN": "light",
            "JQUANTS_RATE_LIMIT": "",
            "GOGOOKU3_DUCKDB": str(db),
        },
    )
    assert out.returncode == 4
    text = " ".join(out.stderr.split())
    assert "cannot reach the J-Quants API at 127.0.0.1:9" in text and "JQUANTS_API_BASE" in text
    assert "Traceback" not in out.stderr and text.count("error:") == 1
    # the window is on record, so the next open-ended run resumes it
    from tests.conftest import query

    assert query(db, "select min(unit_from) from raw._loads where unit = '_plan'")[0][0].isoformat() == "2024-01-01"


@pytest.fixture()
def not_duckdb(tmp_path):
    path = tmp_path / "w.duckdb"
    path.write_bytes(b"this is not a database" * 100)
    return path


@pytest.fixture()
def locked(tmp_path):
    """A warehouse held open for writing by another process."""
    path = tmp_path / "w.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                "c.execute('create table if not exists t (x int)'); print('ready', flush=True); time.sleep(120)"
            ),
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
    yield path
    holder.kill()
    holder.wait()


@pytest.mark.parametrize(
    "command", [["ingest", "--fake", "--datasets", "calendar"], ["publish"], ["build"], ["docs", "--no-serve"]]
)
@pytest.mark.parametrize("state, message", [("not_duckdb", "is not a DuckDB database"), ("locked", "is in use by")])
def test_an_unusable_warehouse_is_one_line_and_exit_2(command, state, message, request):
    path = request.getfixturevalue(state)
    before = path.read_bytes() if state == "not_duckdb" else None
    out = run(command, {"GOGOOKU3_DUCKDB": str(path), "JQUANTS_API_KEY": "x"})
    assert out.returncode == 2, out.stderr
    text = " ".join(out.stderr.split())
    assert message in text and "Traceback" not in out.stderr and "dbt" not in out.stdout
    assert text.count("error:") == 1 and len(out.stderr.strip().splitlines()) <= 4
    if before is not None:
        assert path.read_bytes() == before  # left as it was


@pytest.mark.parametrize("command", [["export"], ["publish"], ["docs", "--no-serve"]])
def test_warehouse_commands_explain_a_missing_warehouse(command, tmp_path):
    out = run(command, {"GOGOOKU3_DUCKDB": str(tmp_path / "missing.duckdb")})
    assert out.returncode == 2
    assert "does not exist" in out.stderr and "gogooku3 ingest" in out.stderr


def test_export_command_writes_the_manifest(built, tmp_path):
    db, _, _ = built
    out = run(["export", "--to", str(tmp_path / "x")], {"GOGOOKU3_DUCKDB": str(db)})
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "x" / "_manifest.json").exists() and "content sha256" in out.stderr
    assert "files written" in out.stderr
    # the deprecated --out still works, with a warning, and names the destination
    old = run(["export", "--out", str(tmp_path / "y")], {"GOGOOKU3_DUCKDB": str(db)})
    assert old.returncode == 0 and "--out is deprecated" in old.stderr
    assert (tmp_path / "y" / "_manifest.json").exists()


def test_fake_api_reports_a_port_it_cannot_listen_on(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        out = run(["fake-api", "--codes", "5", "--years", "1", "--port", str(taken.getsockname()[1])])
    assert out.returncode == 2 and "cannot listen on 127.0.0.1" in out.stderr
