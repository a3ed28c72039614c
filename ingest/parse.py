"""Turn J-Quants responses (JSON pages or bulk CSV files) into typed Arrow tables, or refuse them.

Anything that does not match the dataset's schema raises :class:`MalformedResponse`; nothing
partial is ever returned. JSON pages are decoded by polars in native code (the hot path of a
backfill); values J-Quants sends as strings ('' = absent, fact sheet §5) are read as text and cast.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from typing import Any

# Pages are many and small: polars' thread pool would spin-wait between them and burn the core the
# API server (or DuckDB) needs, so one thread is faster. Read when polars is first imported, so set
# before it; POLARS_MAX_THREADS overrides.
os.environ.setdefault("POLARS_MAX_THREADS", "1")

import orjson
import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson

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


# JSON types each kind accepts (None = JSON null, always accepted): booleans are never numbers, and codes,
# market codes and flags are strings even when they look like numbers
_JSON_ACCEPTS: dict[Kind, tuple[type, ...]] = {
    Kind.TEXT: (str,),
    Kind.DATE: (str,),
    Kind.LENIENT_DATE: (str,),
    Kind.FLAG: (str,),
    Kind.NUMBER: (int, float),
    Kind.LENIENT_NUMBER: (str, int, float),
}


def dataset_page(dataset: Dataset) -> Callable[[bytes], tuple[pa.Table, str | None]]:
    """A parser for pages of one dataset: bytes → (typed table, pagination key).

    Datasets whose fields each have one JSON type (bars, master, calendar) are decoded by Arrow's JSON
    reader against that schema, in native code — it refuses a value of another JSON type. Datasets with
    string-or-number fields (statements, TOPIX, investor types: small pages) are decoded by orjson and
    their values' types checked one by one.
    """
    by_kind: dict[Kind, list[str]] = {}
    for f in dataset.fields:
        if f.kind is not Kind.NUMBER:
            by_kind.setdefault(f.kind, []).append(f.name)
    casts = [_cast(names, kind) for kind, names in by_kind.items()]  # one expression per kind: less planning
    flags = [f.name for f in dataset.fields if f.kind is Kind.FLAG]
    text_schema = pa.schema([(f.name, pa.float64() if f.kind is Kind.NUMBER else pa.string()) for f in dataset.fields])
    lenient = any(f.kind is Kind.LENIENT_NUMBER for f in dataset.fields)

    if lenient:
        columns = pl.Schema({f.name: pl.Float64 if f.kind is Kind.NUMBER else pl.Utf8 for f in dataset.fields})
        checks = [(f.name, _JSON_ACCEPTS[f.kind]) for f in dataset.fields]

        def decode(body: bytes) -> tuple[pl.DataFrame, str | None]:
            rows, key = json_page(body)
            for row in rows:
                if not isinstance(row, dict):
                    raise MalformedResponse("'data' holds something other than objects")
                for name, accepted in checks:
                    value = row.get(name)
                    if value is not None and (type(value) is bool or not isinstance(value, accepted)):
                        raise MalformedResponse(f"{name} is {type(value).__name__} {value!r}, not {_kinds(accepted)}")
            # numbers of string-or-number fields become text here, then are cast with the strings
            return pl.from_dicts(rows, schema=columns, strict=False) if rows else pl.DataFrame(schema=columns), key
    else:
        envelope = pa.schema([("data", pa.list_(pa.struct(list(text_schema)))), ("pagination_key", pa.string())])

        def decode(body: bytes) -> tuple[pl.DataFrame, str | None]:
            if not body.lstrip().startswith(b"{"):
                raise MalformedResponse(f"expected a JSON object; first bytes: {body[:80]!r}")
            try:
                page = pajson.read_json(
                    io.BytesIO(body),
                    read_options=pajson.ReadOptions(use_threads=False, block_size=len(body) + 1),
                    parse_options=pajson.ParseOptions(
                        explicit_schema=envelope, unexpected_field_behavior="ignore", newlines_in_values=True
                    ),
                )
            except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
                raise MalformedResponse(f"not a valid {dataset.path} page: {_arrow_reason(exc)}") from None
            if page.num_rows != 1 or page.column("data").null_count:
                raise MalformedResponse("response has no 'data' array")
            rows = pa.Table.from_struct_array(page.column("data").combine_chunks().flatten())
            key = page.column("pagination_key")[0].as_py()
            return pl.from_arrow(rows), key  # type: ignore[return-value]

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


def _kinds(accepted: tuple[type, ...]) -> str:
    return " or ".join(dict.fromkeys({str: "a string", int: "a number", float: "a number"}[t] for t in accepted))


def _arrow_reason(exc: Exception) -> str:
    """Arrow's JSON error in the API's terms: 'Column(/data/[]/O) changed from number to boolean in row 0'
    → "field 'O' has the wrong JSON type: expected number, got boolean in row 0"."""
    text = str(exc).splitlines()[0]
    field_name, _, rest = text.partition("Column(/data/[]/")[2].partition(")")
    expected, found, got = rest.partition(" changed from ")[2].partition(" to ")
    if not (field_name and found):
        return text[:200]
    return f"field {field_name!r} has the wrong JSON type: expected {expected}, got {got}"


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
