"""Every shell example in the README runs as written, from the repo root with the project's
virtualenv on PATH, and ends as the README says (exit 0, or the exit code its comment names).
Two are left out and say why: the real-API block needs a J-Quants key, and `make demo` / `make test`
are what CI itself runs. Each runs against a warehouse of its own (GOGOOKU3_DUCKDB); dbt's target/
and logs/ go to the test's folder."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.dbt.runner import ROOT

README = (ROOT / "README.md").read_text()
BLOCKS = re.findall(r"```bash\n(.*?)```", README, re.DOTALL)
NOT_RUN = {
    "JQUANTS_API_KEY=...": "the real API needs a key",
    "make demo": "CI runs make demo and make test (.ci/run)",
}


def runnable() -> list[str]:
    return [b for b in BLOCKS if not any(marker in b for marker in NOT_RUN)]


def test_the_readme_examples_left_out_are_the_two_that_cannot_run_here():
    assert len(BLOCKS) - len(runnable()) == len(NOT_RUN)
    assert len(runnable()) >= 2


@pytest.mark.slow
@pytest.mark.parametrize("block", runnable(), ids=lambda b: b.split()[0] + "-" + b.split()[1])
def test_readme_shell_example_runs_as_written(block, tmp_path):
    expected = int(m.group(1)) if (m := re.search(r"# exit (\d+)", block)) else 0
    script = tmp_path / "example.sh"
    # the example's background jobs (the fake server) stop when it ends
    script.write_text("trap 'kill $(jobs -p) 2>/dev/null; wait' EXIT\n" + block)
    db = tmp_path / "gogooku3.duckdb"
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "GOGOOKU3_DUCKDB": str(db),
        "GOGOOKU3_PUBLISHED": str(tmp_path / "published" / db.name),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
    }
    out = subprocess.run(
        ["bash", str(script)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert out.returncode == expected, out.stdout[-3000:] + out.stderr[-3000:]
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("select count(*) from raw.equities_bars_daily").fetchone()[0] > 0
    finally:
        con.close()
