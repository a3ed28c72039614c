"""Extended indicators (ATR, NATR, ±DI, ADX, Parabolic SAR, Stochastic) for the whole market in
one pass: the TA-Lib-exact kernels live in gogooku3/indicators/kernels.py (compiled and cached by numba for a
full refresh; a daily run's few thousand rows go through them interpreted, bit for bit the same).

Full refresh: every observation. Daily run (incremental): each code in the run's scope
(int_daily_scope) continues from its stored row at kept_rows — the kernels' state (ATR, the ±DM/TR
sums and ADX, the SAR machine) is stored with every row in the state_* columns — reading only the
17 rows before its new ones that STOCH needs. A code the scope recomputes whole (a split restated
its history), or one still in ADX's warm-up, is recomputed whole."""

import os

# numpy's first import sets OPENBLAS_MAIN_FREE and GOTOBLAS_MAIN_FREE while it loads and then deletes
# them. In dbt that import happens in this model's worker thread while another thread may be iterating
# os.environ to scrub secrets from a log line: a key deleted mid-iteration raises KeyError there and
# fails a node at random. Set for good before numpy loads, numpy leaves os.environ alone.
os.environ.setdefault("OPENBLAS_MAIN_FREE", "1")
os.environ.setdefault("GOTOBLAS_MAIN_FREE", "1")

from gogooku3.indicators.kernels import (
    CARRIED,
    STOCH_LOOKBACK,
    compute_extended,
    compute_extended_in_chunks,
)


def model(dbt, session):
    # keyed on (code, date), like the folder's SQL models (dbt_project.yml); a Python model's
    # materialization must be set here: it does not take the folder's
    dbt.config(materialized="incremental")
    observations = dbt.ref("int_price_observations")
    # Returned as a DuckDB relation: dbt-duckdb materializes an Arrow table through pyarrow.dataset,
    # whose import pulls in pandas, slow for a daily run's few rows.
    if not dbt.is_incremental:
        # Streamed both ways, a chunk of whole codes at a time: the observations in (code, row_idx)
        # order from a cursor of their own (the stream stays open while DuckDB writes the result),
        # the results into DuckDB, which sorts them into date order as the SQL models store them
        # (daily runs' date filters here and in ml_dataset then skip older days' row groups),
        # spilling to disk beyond its memory limit. Python holds one chunk, not the market.
        ordered = observations.order("code, row_idx").select("code, date, row_idx, high, low, close")
        stream = session.cursor().sql(ordered.sql_query()).fetch_record_batch(100_000)
        return session.from_arrow(compute_extended_in_chunks(stream)).order("date, code")

    # The run's scope (int_daily_scope): the codes with observations built after the last stored day,
    # and each one's kept rows. The observations are in date order (a full refresh writes them so,
    # daily runs append), so the date filters let their scans skip the row groups of older days.
    observations.create_view("extended_observations")  # temporary views, for the SQL below
    dbt.ref("int_daily_scope").create_view("extended_scope_builds")
    changed = session.sql(f"""
        with scope as (
            select code, min(kept_rows) as kept_rows from extended_scope_builds
            where built_through > (select coalesce(max(date), date '1900-01-01') from {dbt.this})
            group by code
        ),
        first_state_day as (
            select min(o.date) as date from extended_observations as o
            inner join scope on o.code = scope.code and o.row_idx = scope.kept_rows
        ),
        state as (  -- each continued code's stored row at kept_rows
            select stored.* from {dbt.this} as stored
            inner join scope on stored.code = scope.code and stored.row_idx = scope.kept_rows
            where stored.date >= (select date from first_state_day)
        )
        select scope.code, state.row_idx, {", ".join(f"state.{c}" for c in CARRIED)},
               -- continued unless recomputed whole or ADX/SAR have no state yet
               coalesce(state.adx_14 is not null and state.state_sar is not null, false) as continues
        from scope
        left join state using (code)
    """).to_arrow_table()
    session.register("changed_state", changed)
    recent = session.sql(f"""
        with history_start as (  -- the earliest day STOCH's window of a continued code reaches
            select min(o.date) as date
            from extended_observations as o
            inner join changed_state as c
                on o.code = c.code and c.continues and o.row_idx = greatest(c.row_idx - {STOCH_LOOKBACK - 1}, 1)
        )
        select o.code, o.date, o.row_idx, o.high, o.low, o.close
        from extended_observations as o
        inner join changed_state as c using (code)
        where c.continues and o.row_idx > c.row_idx - {STOCH_LOOKBACK} and o.date >= (select date from history_start)
        union all
        select o.code, o.date, o.row_idx, o.high, o.low, o.close
        from extended_observations as o
        where o.code in (select code from changed_state where not continues)
        order by code, row_idx
    """).to_arrow_table()
    session.unregister("changed_state")
    session.execute("drop view extended_observations")
    session.execute("drop view extended_scope_builds")
    carried = changed.filter(changed.column("continues")).drop_columns(["continues"])
    return session.from_arrow(compute_extended(recent, carried))  # the rows after each carried one
