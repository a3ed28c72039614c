"""gogooku3 ingest: an async J-Quants API v2 loader into DuckDB ``raw`` tables,
plus a faithful fake J-Quants server for offline use (:mod:`ingest.fakeapi`)."""

import os

# The loader decodes many small pages: polars' thread pool would spin-wait between them and burn the
# core the API server (or DuckDB) needs. One thread is faster here; set POLARS_MAX_THREADS to override.
os.environ.setdefault("POLARS_MAX_THREADS", "1")

# numpy's first import sets these two while it loads and then deletes them again. In dbt that import
# happens in the Python model's worker thread while another thread may be iterating os.environ to
# scrub secrets from a log line: a key deleted mid-iteration raises KeyError there and fails a node
# at random. Set here for good (numpy then leaves os.environ alone; adding a key is harmless, os.environ
# iterates over a snapshot of its keys) — which is why int_features__extended imports this package
# before anything that imports numpy.
os.environ.setdefault("OPENBLAS_MAIN_FREE", "1")
os.environ.setdefault("GOTOBLAS_MAIN_FREE", "1")

__version__ = "0.1.0"
