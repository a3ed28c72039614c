"""Turn J-Quants responses (JSON pages or bulk CSV files) into typed Arrow tables, or refuse them.

Anything that does not match the dataset's schema raises :class:`MalformedResponse`; nothing
partial is ever returned. JSON pages are decoded by polars in native code (the hot path of a
backfill); values J-Quants sends as strings ('' = absent, fact sheet §5) are read as text and cast.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import orjson
import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv

from .schema import ARROW_TYPES, Dataset, Kind


class MalformedResponse(ValueError):
    """The server answered 200 but the body is not what the API promises."""


def parse_envelope(body: bytes) -> dict[str, Any]:
    """Decode a small v2 JSON body (an object) such as an error or a ``/bulk/get`` answer."""
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise MalformedResponse(f"body is not valid JSON ({exc}); first bytes: {body[:80]!r}") from None
    if not isinstance(payload, dict):
        raise MalformedResponse(f"expected a JSON object, got {type(payload).__name__}")
    return payload


def json_page(body: bytes) -> tuple[list[dict[str, Any]], str | None]:
    """Rows and pagination key of a v2 page, validated only as an envelope (for ``/bulk/list``)."""
    payload = parse_envelope(body)
    rows = payload.get("data")
    if not isinstance(rows, list):
        raise MalformedResponse("response has no 'data' array")
    key = payload.get("pagination_key")
    if key is not None and not isinstance(key, str):
        raise MalformedResponse("'pagination_key' is not a string")
    return rows, key or None


# how each kind is read from JSON: numbers strictly as numbers, everything else as text, then cast
_JSON_TYPES = {Kind.NUMBER: pl.Float64}


def dataset_page(dataset: Dataset) -> Callable[[bytes], tuple[pa.Table, str | None]]:
    """A parser for pages of one dataset: bytes → (typed table, pagination key)."""
    schema = {
        "data": pl.List(pl.Struct({f.name: _JSON_TYPES.get(f.kind, pl.Utf8) for f in dataset.fields})),
        "pagination_key": pl.Utf8,
    }
    by_kind: dict[Kind, list[str]] = {}
    for f in dataset.fields:
        if f.kind is not Kind.NUMBER:
            by_kind.setdefault(f.kind, []).append(f.name)
    casts = [_cast(names, kind) for kind, names in by_kind.items()]  # one expression per kind: less planning
    flags = [f.name for f in dataset.fields if f.kind is Kind.FLAG]

    text_only = not any(f.kind is Kind.NUMBER for f in dataset.fields)
    columns = schema["data"].inner.to_schema()  # type: ignore[union-attr]

    def decode(body: bytes) -> tuple[pl.DataFrame, str | None]:
        if text_only:  # wide pages of string-encoded values (statements): orjson + a text frame is fastest
            rows, key = json_page(body)
            if not all(isinstance(r, dict) for r in rows):
                raise MalformedResponse("'data' holds something other than objects")
            return pl.from_dicts(rows, schema=columns, strict=False) if rows else pl.DataFrame(schema=columns), key
        if not body.lstrip().startswith(b"{"):
            raise MalformedResponse(f"expected a JSON object; first bytes: {body[:80]!r}")
        try:
            frame = pl.read_json(io.BytesIO(body), schema=schema)
        except (pl.exceptions.PolarsError, ValueError) as exc:
            raise MalformedResponse(f"not a valid {dataset.path} page: {str(exc).splitlines()[0][:200]}") from None
        if frame.height != 1 or frame["data"].null_count():
            raise MalformedResponse("response has no 'data' array")
        rows = frame.select(pl.col("data").explode()).unnest("data")
        return (rows.clear() if frame["data"].list.len()[0] == 0 else rows), frame["pagination_key"][0]

    def parse(body: bytes) -> tuple[pa.Table, str | None]:
        rows, key = decode(body)
        if flags and rows.height:
            bad = rows.filter(pl.any_horizontal([~pl.col(n).is_in(["true", "false", ""]) for n in flags]))
            if bad.height:
                raise MalformedResponse(f"a flag field holds something other than 'true'/'false'/'': {bad.row(0)[:4]}")
        try:
            rows = rows.with_columns(casts)
        except pl.exceptions.PolarsError as exc:
            raise MalformedResponse(f"a field has the wrong type: {str(exc).splitlines()[0][:200]}") from None
        table = rows.to_arrow().cast(dataset.arrow_schema)
        _check_required(table, dataset)
        return table, key

    return parse


def _cast(names: list[str], kind: Kind) -> pl.Expr:
    text = pl.col(names).replace("", None)  # J-Quants writes absent values as ''
    if kind in (Kind.DATE, Kind.LENIENT_DATE):
        return text.str.to_date("%Y-%m-%d", strict=True)
    if kind is Kind.LENIENT_NUMBER:
        return text.cast(pl.Float64, strict=True)
    if kind is Kind.FLAG:
        return text == "true"  # values other than 'true'/'false'/'' are refused beforehand
    return text


def _check_required(table: pa.Table, dataset: Dataset) -> None:
    for f in dataset.fields:
        if f.required and table.column(f.name).null_count:
            raise MalformedResponse(f"{table.column(f.name).null_count} row(s) lack required field {f.name!r}")


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
                include_columns=dataset.columns,
                include_missing_columns=True,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise MalformedResponse(f"bulk file does not parse as {dataset.path} CSV: {exc}") from None
    table = table.select(dataset.columns).cast(dataset.arrow_schema)
    _check_required(table, dataset)
    return table
