"""Turn J-Quants responses (JSON pages or bulk CSV files) into typed Arrow tables, or refuse them.

Anything that does not match the dataset's schema raises :class:`MalformedResponse`; nothing
partial is ever returned.
"""

from __future__ import annotations

import io
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .schema import ARROW_TYPES, Dataset, Kind


class MalformedResponse(ValueError):
    """The server answered 200 but the body is not what the API promises."""


def parse_envelope(body: bytes) -> dict[str, Any]:
    """Decode a v2 JSON body: an object whose ``data`` is a list of objects."""
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise MalformedResponse(f"body is not valid JSON ({exc}); first bytes: {body[:80]!r}") from None
    if not isinstance(payload, dict):
        raise MalformedResponse(f"expected a JSON object, got {type(payload).__name__}")
    return payload


def page_rows(payload: dict[str, Any]) -> list[dict[str, Any]]:
    rows = payload.get("data")
    if not isinstance(rows, list):
        raise MalformedResponse("response has no 'data' array")
    key = payload.get("pagination_key")
    if key is not None and not isinstance(key, str):
        raise MalformedResponse("'pagination_key' is not a string")
    return rows


def _lenient_number(value: Any, name: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise MalformedResponse(f"field {name!r}: expected a number, got {value!r}")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            raise MalformedResponse(f"field {name!r}: {value!r} is not a number") from None
    raise MalformedResponse(f"field {name!r}: expected a number, got {type(value).__name__}")


def _flag(value: Any, name: str) -> bool | None:
    if value is None or value == "":
        return None
    if value in ("true", True):
        return True
    if value in ("false", False):
        return False
    raise MalformedResponse(f"field {name!r}: expected 'true'/'false'/'', got {value!r}")


def _check_required(table: pa.Table, dataset: Dataset) -> None:
    for f in dataset.fields:
        if f.required and table.column(f.name).null_count:
            raise MalformedResponse(f"{table.column(f.name).null_count} row(s) lack required field {f.name!r}")


def rows_to_table(rows: list[Any], dataset: Dataset) -> pa.Table:
    """Validate and type one page of rows (a list of JSON objects)."""
    if not all(isinstance(r, dict) for r in rows):
        raise MalformedResponse("'data' holds something other than objects")
    always = frozenset(f.name for f in dataset.fields if not f.optional_key)
    for r in rows:
        if not always <= r.keys():
            raise MalformedResponse(f"row lacks field(s) {sorted(always - r.keys())}: {str(r)[:120]}")
    strict = [f for f in dataset.fields if f.kind in (Kind.TEXT, Kind.DATE, Kind.NUMBER)]
    strict_schema = pa.schema([(f.name, pa.string() if f.kind is Kind.DATE else ARROW_TYPES[f.kind]) for f in strict])
    try:
        table = pa.Table.from_pylist(rows, schema=strict_schema)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise MalformedResponse(f"wrong field type: {exc}") from None
    arrays = {}
    for f in dataset.fields:
        if f.kind is Kind.DATE:
            arrays[f.name] = _cast_dates(table.column(f.name), f.name)
        elif f.kind is Kind.TEXT:  # J-Quants writes absent values as '': store NULL, as the CSV reader does
            col = table.column(f.name)
            arrays[f.name] = pc.if_else(pc.equal(col, ""), pa.scalar(None, pa.string()), col)
        elif f.kind is Kind.NUMBER:
            arrays[f.name] = table.column(f.name)
        elif f.kind is Kind.LENIENT_NUMBER:
            arrays[f.name] = pa.array([_lenient_number(r.get(f.name), f.name) for r in rows], pa.float64())
        elif f.kind is Kind.LENIENT_DATE:
            raw = pa.array([r.get(f.name) or None for r in rows], pa.string())
            arrays[f.name] = _cast_dates(raw, f.name)
        else:
            arrays[f.name] = pa.array([_flag(r.get(f.name), f.name) for r in rows], pa.bool_())
    out = pa.table(arrays, schema=dataset.arrow_schema)
    _check_required(out, dataset)
    return out


def _cast_dates(column: pa.ChunkedArray | pa.Array, name: str) -> pa.ChunkedArray | pa.Array:
    try:
        return pc.cast(column, pa.date32())
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        raise MalformedResponse(f"field {name!r} holds a value that is not a YYYY-MM-DD date") from None


def csv_to_table(data: bytes, dataset: Dataset) -> pa.Table:
    """Parse one bulk file (CSV, header = v2 field names; gzip already removed)."""
    types = {f.name: ARROW_TYPES[f.kind] for f in dataset.fields}
    header = set(data.split(b"\n", 1)[0].decode("utf-8", "replace").strip().split(","))
    missing = {f.name for f in dataset.fields if not f.optional_key} - header
    if missing:
        raise MalformedResponse(f"bulk file lacks column(s) {sorted(missing)}")
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            convert_options=pacsv.ConvertOptions(
                column_types=types,
                strings_can_be_null=True,
                true_values=["true"],
                false_values=["false"],
                include_columns=[c for c in dataset.columns],
                include_missing_columns=True,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise MalformedResponse(f"bulk file does not parse as {dataset.path} CSV: {exc}") from None
    table = table.select(dataset.columns).cast(dataset.arrow_schema)
    _check_required(table, dataset)
    return table
