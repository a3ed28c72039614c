"""Publish the warehouse for analysts: an immutable copy they open read-only, swapped in atomically.

DuckDB allows one writing process per file, or many readers — never both. So the loader and dbt
write the working file (GOGOOKU3_DUCKDB) and analysts open the *published* copy: after a build it
is copied to a new file next to the published one and renamed over it. Connections already open
keep reading the previous snapshot (the old file stays alive until they close); a new connection
sees the new one. The published file keeps the working file's name, so its catalog name — which
dbt's view definitions spell out — is the same.

The copy is written in DuckDB 1.0's storage format, which every DuckDB from 1.0 on opens — the CLI,
DBeaver's driver and other tools lag the newest release, whose own format they cannot read.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import duckdb

from ingest.store import WarehouseError, open_error_message

#: what dbt leaves behind when a build is killed mid-model or a Python model's incremental run ends:
#: never part of a published snapshot
LEFTOVER_PATTERN = r"%\_\_dbt\_tmp%"  # LIKE, underscores escaped

#: the storage format of the published copy: readable by DuckDB 1.0 and every later version
PUBLISHED_STORAGE_VERSION = "v1.0.0"


def published_path(working: Path) -> Path:
    """Where analysts find the snapshot: GOGOOKU3_PUBLISHED, else <dir>/published/<same file name>."""
    override = os.environ.get("GOGOOKU3_PUBLISHED")
    if override:
        return Path(override)
    return working.parent / "published" / working.name


def publish_snapshot(working: Path, published: Path | None = None) -> tuple[Path, float]:
    """Copy ``working`` to ``published`` atomically; returns (path, seconds)."""
    if not working.exists():
        raise FileNotFoundError(f"{working} does not exist: run `gogooku3 ingest` and `dbt build` first")
    published = published or published_path(working)
    if published.stem != working.stem:
        raise ValueError(f"the published file must keep the name {working.stem!r} (dbt's views name the catalog)")
    published.parent.mkdir(parents=True, exist_ok=True)
    partial = published.with_name(f".{published.name}.partial")
    partial.unlink(missing_ok=True)
    started = time.monotonic()
    con = duckdb.connect()
    try:
        try:
            con.execute("attach ? as source (read_only)", [str(working)])
        except duckdb.Error as exc:
            raise WarehouseError(open_error_message(working, exc)) from None
        con.execute(f"attach ? as target (storage_version '{PUBLISHED_STORAGE_VERSION}')", [str(partial)])
        con.execute("copy from database source to target")
        drop_leftovers(con, "target")
        con.execute("detach target")
    except BaseException:
        con.close()
        partial.unlink(missing_ok=True)
        raise
    con.close()
    os.replace(partial, published)  # atomic on POSIX: readers see the old file or the new one
    return published, time.monotonic() - started


def drop_leftovers(con: duckdb.DuckDBPyConnection, catalog: str) -> None:
    """Drop dbt's temporary relations (``*__dbt_tmp*``) from ``catalog``."""
    rows = con.execute(
        """select schema_name, table_name, 'table' from duckdb_tables() where database_name = $1 and table_name like $2 escape '\\'
           union all
           select schema_name, view_name, 'view' from duckdb_views() where database_name = $1 and view_name like $2 escape '\\'""",
        [catalog, LEFTOVER_PATTERN],
    ).fetchall()
    for schema, name, kind in rows:
        con.execute(f'drop {kind} if exists "{catalog}"."{schema}"."{name}"')
