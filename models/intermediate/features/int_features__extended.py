"""Extended indicators (ATR, NATR, ±DI, ADX, Parabolic SAR, Stochastic) for the whole market in
one compiled pass: the TA-Lib-exact kernels live in ingest/ta_kernels.py (cached by numba).

Full refresh: every observation. Daily run (incremental): each code continues from its last stored
row — the kernels' state (ATR, the ±DM/TR sums and ADX, the SAR machine) is stored with every row
in the state_* columns — reading only the 17 rows before its new ones that STOCH needs. A code
whose stored last row no longer matches its observation (a split restated its history), or that
is still in ADX's warm-up, is recomputed whole."""

import pyarrow.compute as pc

from ingest.ta_kernels import STOCH_LOOKBACK, compute_extended


def model(dbt, session):
    dbt.config(materialized="incremental", unique_key=["code", "row_idx"], incremental_strategy="delete+insert",
               on_schema_change="fail")
    observations = dbt.ref("int_price_observations")
    if not dbt.is_incremental:
        return compute_extended(observations.order("code, row_idx").select("code, date, row_idx, high, low, close")
                                .to_arrow_table())

    observations.create_view("extended_observations")  # a temporary view, for the SQL below
    carried = session.sql(f"""
        select stored.*
        from {dbt.this} as stored
        inner join (select code, max(row_idx) as row_idx from {dbt.this} group by code) as last using (code, row_idx)
        inner join extended_observations as observed using (code, row_idx)
        where observed.close = stored.close and stored.adx_14 is not null and stored.state_sar is not null
    """).to_arrow_table()
    session.register("carried_state", carried)
    recent = session.sql(f"""
        select o.code, o.date, o.row_idx, o.high, o.low, o.close, c.row_idx as carried_row
        from extended_observations as o
        left join carried_state as c using (code)
        where o.row_idx > coalesce(c.row_idx - {STOCH_LOOKBACK}, 0)
        order by o.code, o.row_idx
    """).to_arrow_table()
    session.unregister("carried_state")
    session.execute("drop view extended_observations")
    extended = compute_extended(recent.drop_columns(["carried_row"]), carried)
    return extended.filter(pc.greater(recent.column("row_idx"), pc.fill_null(recent.column("carried_row"), 0)))
