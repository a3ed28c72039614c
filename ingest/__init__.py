"""gogooku3 ingest: an async J-Quants API v2 loader into DuckDB ``raw`` tables,
plus a faithful fake J-Quants server for offline use (:mod:`ingest.fakeapi`)."""

__version__ = "0.1.0"
