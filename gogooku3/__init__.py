"""gogooku3: the command line (:mod:`gogooku3.cli`), the commands that act on a built warehouse
(:mod:`gogooku3.warehouse`), the fake J-Quants API v2 server (:mod:`gogooku3.fakeapi`) and the
extended indicators' kernels the dbt Python model calls (:mod:`gogooku3.indicators`).
The loader itself is the :mod:`ingest` package."""

__version__ = "0.2.0"
