"""End to end: the generated dbt docs site, opened in headless Chromium, shows ml_dataset's column
docs and its lineage graph through the link the docs give. Saves screenshots under tests/artifacts/
(kept by CI as artifacts). `gogooku3 docs` stops its `dbt docs serve` when it is stopped."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import signal
import socketserver
import subprocess
import sys
import threading
import time

import pytest

from tests.dbt.runner import ROOT, dbt
from tests.servers import free_port, serving, wait_until_serving

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = ROOT / "tests" / "artifacts"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_ml_dataset_page_shows_columns_and_lineage(built):
    playwright = pytest.importorskip("playwright.sync_api")
    db, tmp, out = built
    assert out.returncode == 0
    generated = dbt(["docs", "generate"], db, tmp)
    assert generated.returncode == 0, generated.stdout[-2000:]
    site = tmp / "target"
    server = socketserver.TCPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)  # a fresh temporary profile
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/index.html#!/model/model.gogooku3.ml_dataset")
            # the column docs render: names, types and descriptions from the YAML
            page.get_by_text("returns_1d", exact=True).first.wait_for(timeout=60_000)
            page.get_by_text("Enforced", exact=True).first.wait_for(timeout=10_000)
            assert page.get_by_text("Wilder's RSI(14) exactly as TA-Lib RSI", exact=False).count() >= 1
            page.screenshot(path=str(ARTIFACTS / "docs_ml_dataset.png"), full_page=False)
            # the link the README and the landing page give opens the graph on the selection +ml_dataset+
            page = browser.new_page(viewport={"width": 1400, "height": 900})  # a fresh load, as from a link
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/index.html#!/overview?g_v=1&g_i=%2Bml_dataset%2B")
            page.locator("div.launcher-window canvas").first.wait_for(timeout=30_000)
            assert page.evaluate(
                "() => Array.from(document.querySelectorAll('input')).some(i => i.value === '+ml_dataset+')"
            )
            page.wait_for_timeout(2_000)  # let the layout settle before the screenshot
            drawn = page.evaluate(
                "() => Array.from(document.querySelectorAll('div.launcher-window canvas'))"
                ".some(c => c.width > 100 && c.height > 100)"
            )
            assert drawn
            page.screenshot(path=str(ARTIFACTS / "docs_ml_dataset_lineage.png"), full_page=False)
            browser.close()
    finally:
        server.shutdown()
    assert (ARTIFACTS / "docs_ml_dataset_lineage.png").stat().st_size > 10_000


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["kill", "ctrl-c"])
def test_stopping_gogooku3_docs_stops_the_server(built, tmp_path, stop):
    db, _, _ = built
    port = free_port()
    env = {**os.environ, "GOGOOKU3_DUCKDB": str(db), "DBT_TARGET_PATH": str(tmp_path / "target")}
    docs = subprocess.Popen(
        [sys.executable, "-m", "gogooku3", "docs", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_serving(port, docs, 240, "gogooku3 docs")
        docs.send_signal(stop)  # to gogooku3 alone, as `kill PID` does
        docs.wait(timeout=30)
        deadline = time.monotonic() + 20
        while serving(port) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not serving(port), "dbt docs serve outlived gogooku3 docs"
    finally:
        docs.kill()
