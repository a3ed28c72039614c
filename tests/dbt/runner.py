"""dbt for the tests: one worker process runs every command in-process (dbt's `dbtRunner`),
reusing the parsed project while the warehouse's file name and `--vars` stay the same.

Why: a `dbt` subprocess spends 6–7 s starting (imports, reading the partial-parse cache) before
its first model, and parses the whole project again (~10 s) whenever the warehouse path changes,
because the path is part of dbt's profile hash; the suite runs ~70 dbt commands on small
warehouses whose models take 1–4 s. The parsed manifest is valid for any file of the same name
(dbt names the catalog after the file) and the same vars (they are rendered into configs).

The worker is a separate process so that dbt's global state (flags, logging, the adapter's
connection) never touches pytest's; it closes the warehouse after each command, so the tests can
open the file between commands. `gogooku3 build` and `make demo` still run the `dbt` executable.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import shutil
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 900  # seconds for one command
# the file name of every warehouse the tests build: the parsed project is reused across all of them.
# DuckDB names the database after the file, and a keyword there checks that the project quotes it
WAREHOUSE = "order.duckdb"


@dataclass(frozen=True)
class DbtResult:
    """What the tests read of a dbt command, as from a `dbt` subprocess."""

    returncode: int  # 0 success, 1 a node failed, 2 dbt itself failed
    stdout: str  # the console log lines (info and above)


def dbt(args: list[str], db: Path, folder: Path) -> DbtResult:
    """`dbt <args> --profiles-dir .` from the repo root on warehouse `db`; dbt's target/ and logs/ in `folder`."""
    # the console log goes to the result (callbacks), not to the worker's stdout
    env = {
        "GOGOOKU3_DUCKDB": str(db),
        "DBT_TARGET_PATH": str(folder / "target"),
        "DBT_LOG_PATH": str(folder / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_USE_COLORS": "false",
        "DBT_LOG_LEVEL": "none",
    }
    return _worker().run([*args, "--profiles-dir", "."], env)


def copy_warehouse(source: Path, folder: Path) -> Path:
    """A copy of warehouse `source` as `folder`/WAREHOUSE (the folder created if need be)."""
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(source, folder / WAREHOUSE))


class _Worker:
    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")  # no fork of pytest's threads and open files
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child,), name="dbt-worker", daemon=True)
        self.process.start()
        child.close()

    def run(self, args: list[str], env: dict[str, str]) -> DbtResult:
        self.connection.send((args, env))
        if not self.connection.poll(TIMEOUT):
            self.process.kill()
            raise TimeoutError(f"dbt {' '.join(args)} did not finish in {TIMEOUT} s")
        try:
            return self.connection.recv()
        except (EOFError, ConnectionError):
            raise RuntimeError(
                f"the dbt worker died (exit code {self.process.exitcode}) running dbt {' '.join(args)}"
            ) from None

    def close(self) -> None:
        if self.process.is_alive():
            self.connection.send(None)
            self.process.join(30)


_WORKER: _Worker | None = None


def _worker() -> _Worker:
    global _WORKER
    if _WORKER is None or not _WORKER.process.is_alive():
        _WORKER = _Worker()
        atexit.register(_WORKER.close)
    return _WORKER


def _vars(args: list[str]) -> str | None:
    return args[args.index("--vars") + 1] if "--vars" in args else None


def _serve(connection: Connection) -> None:
    """The worker: run each (args, env) received, answer a DbtResult; None ends it."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt.cli.main import dbtRunner

    os.chdir(ROOT)
    manifests: dict[tuple[str, str | None], object] = {}
    while (request := connection.recv()) is not None:
        args, env = request
        os.environ.update(env)
        lines: list[str] = []

        def keep(event, lines: list[str] = lines) -> None:
            if event.info.level in ("info", "warn", "error") and event.info.msg:
                lines.append(event.info.msg)

        key = (Path(env["GOGOOKU3_DUCKDB"]).name, _vars(args))
        try:
            if key not in manifests and args[0] != "parse":
                vars_args = ["--vars", key[1]] if key[1] else []
                parsed = dbtRunner(callbacks=[keep]).invoke(["parse", *vars_args, "--profiles-dir", "."])
                if parsed.success:
                    manifests[key] = parsed.result
            # `dbt parse` itself always parses (and saves the parse in its target)
            result = dbtRunner(manifest=manifests.get(key) if args[0] != "parse" else None, callbacks=[keep]).invoke(
                args
            )
            if args[0] == "parse" and result.success:
                manifests[key] = result.result
            if result.exception is not None:
                lines.append(f"{type(result.exception).__name__}: {result.exception}")
            code = 0 if result.success else (2 if result.exception is not None else 1)
        except Exception as error:  # noqa: BLE001 — dbt itself broke: report it as the dbt executable would, exit code 2
            lines.append(f"{type(error).__name__}: {error}")
            code = 2
        finally:
            DuckDBConnectionManager.close_all_connections()  # release the file for the tests
        connection.send(DbtResult(code, "\n".join(lines)))
