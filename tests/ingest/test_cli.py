"""The command line: help, clear errors, exit codes."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from ingest.cli import main


def run(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ingest.cli", *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "COLUMNS": "200", **(env or {})})


@pytest.mark.parametrize("command", [[], ["ingest"], ["fake-api"], ["demo"]])
def test_every_command_has_help(command):
    out = run([*command, "--help"])
    assert out.returncode == 0 and "usage: gogooku3" in out.stdout


def test_missing_key_explains_both_ways_forward(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("JQUANTS_")}
    out = subprocess.run([sys.executable, "-m", "ingest.cli", "ingest"], capture_output=True, text=True,
                         env={**env, "GOGOOKU3_DUCKDB": str(tmp_path / "w.duckdb"), "COLUMNS": "200"})
    assert out.returncode == 2
    assert "JQUANTS_API_KEY is not set" in out.stderr and "--fake" in out.stderr


def test_bad_key_exits_3_with_the_reason(fake_api, tmp_path):
    out = run(["ingest", "--from", "2024-01-04", "--to", "2024-01-10", "-q"],
              {"JQUANTS_API_BASE": fake_api.base_url, "JQUANTS_API_KEY": "wrong", "GOGOOKU3_DUCKDB": str(tmp_path / "w.duckdb")})
    assert out.returncode == 3 and "invalid or expired" in out.stderr


def test_failed_units_make_the_run_exit_non_zero_with_a_summary(fake_api, tmp_path):
    from ingest.fakeapi.server import Fault

    fake_api.state.add_fault(Fault("bad_json", "/fins/summary", times=None, params={"date": "2024-01-10"}))
    out = run(["ingest", "--from", "2024-01-04", "--to", "2024-01-12", "--backoff", "0.01", "--retries", "2"],
              {"JQUANTS_API_BASE": fake_api.base_url, "JQUANTS_API_KEY": "test-key", "JQUANTS_PLAN": "premium",
               "JQUANTS_RATE_LIMIT": "0", "GOGOOKU3_DUCKDB": str(tmp_path / "w.duckdb")})
    assert out.returncode == 1
    assert "1 unit(s) failed" in out.stderr and "fins 2024-01-10" in out.stderr


@pytest.mark.parametrize("args, message", [
    (["ingest", "--from", "2024-02-01", "--to", "2024-01-01"], "is after --to"),
    (["ingest", "--market", "tokyo"], "unknown market"),
    (["ingest", "--datasets", "bars,prices"], "unknown dataset"),
    (["ingest", "--concurrency", "151"], "between 1 and 150"),
])
def test_bad_arguments_are_explained(args, message, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("JQUANTS_API_KEY", "x")
    monkeypatch.setenv("GOGOOKU3_DUCKDB", str(tmp_path / "w.duckdb"))
    assert main(args) == 2
    assert message in capsys.readouterr().err.replace("\n", " ")


def test_bad_environment_is_explained(monkeypatch, capsys):
    monkeypatch.setenv("JQUANTS_PLAN", "gold")
    assert main(["ingest"]) == 2
    assert "JQUANTS_PLAN" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["export"], ["publish"], ["docs", "--no-serve"]])
def test_warehouse_commands_explain_a_missing_warehouse(command, tmp_path):
    out = run(command, {"GOGOOKU3_DUCKDB": str(tmp_path / "missing.duckdb")})
    assert out.returncode == 2
    assert "does not exist" in out.stderr and "gogooku3 ingest" in out.stderr


def test_export_command_writes_the_manifest(built, tmp_path):
    db, _, _ = built
    out = run(["export", "--out", str(tmp_path / "x")], {"GOGOOKU3_DUCKDB": str(db)})
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "x" / "manifest.json").exists() and "content sha256" in out.stderr
