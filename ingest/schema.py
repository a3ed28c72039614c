"""The raw tables: one per J-Quants v2 dataset, columns named exactly as the API's v2 fields.

This module is the single description of what the API returns and what lands in DuckDB; the
loader, the bulk CSV reader and the fake server all read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import pyarrow as pa


class Kind(Enum):
    """How a field is encoded in JSON and typed in DuckDB."""

    TEXT = "text"  # strings (codes, flags '0'/'1', names) — never numbers
    DATE = "date"  # 'YYYY-MM-DD'
    NUMBER = "number"  # a JSON number or null; a string here is a malformed response
    LENIENT_NUMBER = "lenient_number"  # string-or-number-or-null ('' = NULL), as /fins/summary sends
    LENIENT_DATE = "lenient_date"  # a date string where '' means NULL
    FLAG = "flag"  # 'true' / 'false' / '' (NULL)

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self]


SQL_TYPES = {
    Kind.TEXT: "VARCHAR",
    Kind.DATE: "DATE",
    Kind.NUMBER: "DOUBLE",
    Kind.LENIENT_NUMBER: "DOUBLE",
    Kind.LENIENT_DATE: "DATE",
    Kind.FLAG: "BOOLEAN",
}

ARROW_TYPES = {
    Kind.TEXT: pa.string(),
    Kind.DATE: pa.date32(),
    Kind.NUMBER: pa.float64(),
    Kind.LENIENT_NUMBER: pa.float64(),
    Kind.LENIENT_DATE: pa.date32(),
    Kind.FLAG: pa.bool_(),
}


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    required: bool = False  # must be present and non-null in every row
    optional_key: bool = False  # key may be absent (Premium-only session fields)


@dataclass(frozen=True)
class Dataset:
    """One J-Quants v2 endpoint and the raw table it lands in."""

    name: str  # short name used on the command line
    path: str  # v2 path, e.g. /equities/bars/daily
    table: str  # raw table name (schema raw)
    fields: tuple[Field, ...]
    key: tuple[str, ...]  # natural key of one row
    date_field: str  # the date a unit of loading is scoped by
    min_plan: str  # cheapest plan that may call it
    description: str

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def arrow_schema(self) -> pa.Schema:
        return pa.schema([(f.name, ARROW_TYPES[f.kind]) for f in self.fields])

    def ddl(self) -> str:
        cols = ",\n    ".join(f'"{f.name}" {f.kind.sql_type}' for f in self.fields)
        return f"create table if not exists raw.{self.table} (\n    {cols}\n)"


def _fields(names: str, kind: Kind, **kw: bool) -> tuple[Field, ...]:
    return tuple(Field(n, kind, **kw) for n in names.split())


_SESSION_PRICES = "MO MH ML MC MUL MLL MVo MVa MAdjO MAdjH MAdjL MAdjC MAdjVo AO AH AL AC AUL ALL AVo AVa AAdjO AAdjH AAdjL AAdjC AAdjVo"

EQUITIES_MASTER = Dataset(
    name="master",
    path="/equities/master",
    table="equities_master",
    fields=(
        Field("Date", Kind.DATE, required=True),
        Field("Code", Kind.TEXT, required=True),
        *_fields("CoName CoNameEn S17 S17Nm S33 S33Nm ScaleCat Mkt MktNm Mrgn MrgnNm ProdCat", Kind.TEXT),
    ),
    key=("Date", "Code"),
    date_field="Date",
    min_plan="free",
    description="Listed issues: one snapshot per requested date (monthly), so market and sector history is point in time.",
)

EQUITIES_BARS_DAILY = Dataset(
    name="bars",
    path="/equities/bars/daily",
    table="equities_bars_daily",
    fields=(
        Field("Date", Kind.DATE, required=True),
        Field("Code", Kind.TEXT, required=True),
        *_fields("O H L C", Kind.NUMBER),
        *_fields("UL LL", Kind.TEXT),
        *_fields("Vo Va AdjFactor AdjO AdjH AdjL AdjC AdjVo", Kind.NUMBER),
        *(
            Field(n, Kind.TEXT if n.endswith(("UL", "LL")) else Kind.NUMBER, optional_key=True)
            for n in _SESSION_PRICES.split()
        ),
    ),
    key=("Date", "Code"),
    date_field="Date",
    min_plan="free",
    description="Daily OHLCV per issue: raw and split-adjusted prices, AdjFactor on ex-dates; Premium adds morning/afternoon sessions.",
)

_INVESTOR_GROUPS = [
    "Prop",
    "Brk",
    "Tot",
    "Ind",
    "Frgn",
    "SecCo",
    "InvTr",
    "BusCo",
    "OthCo",
    "InsCo",
    "Bank",
    "TrstBnk",
    "OthFin",
]

EQUITIES_INVESTOR_TYPES = Dataset(
    name="investor_types",
    path="/equities/investor-types",
    table="equities_investor_types",
    fields=(
        Field("PubDate", Kind.DATE, required=True),
        Field("StDate", Kind.DATE, required=True),
        Field("EnDate", Kind.DATE, required=True),
        Field("Section", Kind.TEXT, required=True),
        *(Field(g + m, Kind.LENIENT_NUMBER) for g in _INVESTOR_GROUPS for m in ("Sell", "Buy", "Tot", "Bal")),
    ),
    key=("Section", "StDate", "EnDate", "PubDate"),
    date_field="PubDate",
    min_plan="light",
    description="Weekly trading by investor type per market section, thousand JPY; corrections add rows with a later PubDate.",
)

INDICES_TOPIX = Dataset(
    name="topix",
    path="/indices/bars/daily/topix",
    table="indices_topix",
    fields=(Field("Date", Kind.DATE, required=True), *_fields("O H L C", Kind.LENIENT_NUMBER)),
    key=("Date",),
    date_field="Date",
    min_plan="light",
    description="TOPIX daily OHLC in index points.",
)

_FIN_DATES = "CurPerSt CurPerEn CurFYSt CurFYEn NxtFYSt NxtFYEn"
_FIN_TEXT = "DiscTime DiscNo DocType CurPerType"
_FIN_FLAGS = "MatChgSub SigChgInC ChgByASRev ChgNoASRev ChgAcEst RetroRst"
_FIN_NUMBERS = (
    "Sales OP OdP NP EPS DEPS TA Eq EqAR BPS CFO CFI CFF CashEq Div1Q Div2Q Div3Q DivFY DivAnn DivUnit "
    "DivTotalAnn PayoutRatioAnn FDiv1Q FDiv2Q FDiv3Q FDivFY FDivAnn FDivUnit FDivTotalAnn FPayoutRatioAnn "
    "NxFDiv1Q NxFDiv2Q NxFDiv3Q NxFDivFY NxFDivAnn NxFDivUnit NxFPayoutRatioAnn FSales2Q FOP2Q FOdP2Q FNP2Q "
    "FEPS2Q NxFSales2Q NxFOP2Q NxFOdP2Q NxFNp2Q NxFEPS2Q FSales FOP FOdP FNP FEPS NxFSales NxFOP NxFOdP NxFNp "
    "NxFEPS"
)
_FIN_NUMBERS_2 = (
    "ShOutFY TrShFY AvgSh NCSales NCOP NCOdP NCNP NCEPS NCTA NCEq NCEqAR NCBPS FNCSales2Q FNCOP2Q FNCOdP2Q "
    "FNCNP2Q FNCEPS2Q NxFNCSales2Q NxFNCOP2Q NxFNCOdP2Q NxFNCNP2Q NxFNCEPS2Q FNCSales FNCOP FNCOdP FNCNP "
    "FNCEPS NxFNCSales NxFNCOP NxFNCOdP NxFNCNP NxFNCEPS ShEq NCShEq ROE NCROE"
)

FINS_SUMMARY = Dataset(
    name="fins",
    path="/fins/summary",
    table="fins_summary",
    fields=(
        Field("DiscDate", Kind.DATE, required=True),
        Field("DiscTime", Kind.TEXT),
        Field("Code", Kind.TEXT, required=True),
        Field("DiscNo", Kind.TEXT, required=True),
        *_fields("DocType CurPerType", Kind.TEXT),
        *_fields(_FIN_DATES, Kind.LENIENT_DATE),
        *_fields(_FIN_NUMBERS, Kind.LENIENT_NUMBER),
        *_fields(_FIN_FLAGS, Kind.FLAG),
        *_fields(_FIN_NUMBERS_2, Kind.LENIENT_NUMBER),
    ),
    key=("Code", "DiscNo"),
    date_field="DiscDate",
    min_plan="free",
    description="Financial statement summaries (earnings releases and forecast revisions) with TDnet disclosure date and time.",
)

MARKETS_CALENDAR = Dataset(
    name="calendar",
    path="/markets/calendar",
    table="markets_calendar",
    fields=(Field("Date", Kind.DATE, required=True), Field("HolDiv", Kind.TEXT, required=True)),
    key=("Date",),
    date_field="Date",
    min_plan="free",
    description="Trading calendar: HolDiv '1' business day, '2' half-day session, '0' closed, '3' closed for equities (OSE holiday trading).",
)

DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        MARKETS_CALENDAR,
        EQUITIES_MASTER,
        EQUITIES_BARS_DAILY,
        INDICES_TOPIX,
        EQUITIES_INVESTOR_TYPES,
        FINS_SUMMARY,
    )
}

LOADS_DDL = """
create table if not exists raw._loads (
    run_id      VARCHAR   not null,
    dataset     VARCHAR   not null,
    unit        VARCHAR   not null,
    unit_from   DATE,
    unit_to     DATE,
    universe    VARCHAR   not null,
    params      VARCHAR,
    pages       INTEGER,
    rows        BIGINT,
    started_at  TIMESTAMP,
    finished_at TIMESTAMP,
    status      VARCHAR   not null,
    error       VARCHAR
)
"""
