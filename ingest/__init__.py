"""gogooku3 ingest: an async J-Quants API v2 loader into DuckDB ``raw`` tables,
plus a faithful fake J-Quants server for offline use (:mod:`ingest.fakeapi`)."""

import os

# The loader decodes many small pages: polars' thread pool would spin-wait between them and burn the
# core the API server (or DuckDB) needs. One thread is faster here; set POLARS_MAX_THREADS to override.
os.environ.setdefault("POLARS_MAX_THREADS", "1")

__version__ = "0.1.0"
