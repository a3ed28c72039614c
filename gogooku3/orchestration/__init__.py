"""Dagster orchestration of the loader and the dbt project (the `orchestrate` extra):
:mod:`gogooku3.orchestration.definitions` is the code location."""
