{{ config(
    materialized='incremental',
    unique_key=['code', 'date'],
    incremental_strategy='delete+insert',
    on_schema_change='fail'
) }}
-- Long-memory features: every value that depends on more history than the other families' windows
-- (at most 21 rows): the exact recursive smoothings (the five EMAs, the MACD legs EMA 12/26 and
-- signal, Wilder's gain/loss means of RSI 14 and 2), the 20/60-row volatility and the trailing-252
-- volatility regime.
-- The smoothings are one recursive CTE: each code starts at its first observation (full refresh, or
-- a code redone whole) or, on a daily run, at its stored last row — the recursion's state — and steps
-- one observation at a time (ema_step, wilder_step), exactly as pandas and TA-Lib do. A daily run
-- reads back 59 returns (the 60-row volatility's window) and 251 stored volatilities (the regime's)
-- instead of the whole history. A code whose stored last row no longer matches its observation (a
-- split restated its adjusted history) or that is still in Wilder's warm-up (≤ 15 rows) is redone
-- whole; a full refresh recomputes all.
-- Keyed on (code, date), not row_idx: the delete of a daily run's rows then skips older days' row groups.
{%- set carry = is_incremental() %}
{%- set ema_spans = [5, 10, 12, 20, 26, 60, 200] %}
{%- set wilder_periods = [14, 2] %}
{%- set volatility_rows = [20, 60] %}  {#- one-day returns per volatility window #}
{%- set regime_rows = 252 %}
{%- set regime_quantiles = [0.2, 0.8] %}  {#- low_vol_flag below the first, high_vol_flag above the second #}
with recursive

{% if carry -%}
-- The tables are in date order (a full refresh writes them so, daily runs append), so the date
-- filters below let the scans skip the row groups of older days.
changed_codes as (  -- codes with observations after the last stored day
    select distinct code
    from {{ ref('int_price_observations') }}
    where date > {{ last_stored_day_query() }}
),

last_rows as (  -- each changed code's last stored row
    select code, max(row_idx) as row_idx, max(date) as date
    from {{ this }}
    where code in (select code from changed_codes)
    group by code
),

carried as (  -- the codes a daily run continues, with their state (the stored last row)
    select stored.*
    from {{ this }} as stored
    inner join last_rows using (code, row_idx)
    inner join {{ ref('int_price_observations') }} as observed using (code, row_idx)
    where stored.date >= (select min(date) from last_rows)
      and observed.date >= (select min(date) from last_rows)
      and observed.close = stored.close
      and stored.row_idx > {{ wilder_periods | max }} + 1
),

redo_codes as (  -- changed codes recomputed whole (usually none: the scan that reads them is then skipped)
    select code from changed_codes
    except
    select code from carried
),

history_start as (  -- the earliest day a carried code's trailing-252 window reaches
    {{ earliest_observation_day('carried', 'c.row_idx - ' ~ (regime_rows - 1)) }}
),

observations as materialized (  -- a carried code's state row and its new rows, and every row of a changed
                                -- code that is not carried (recomputed whole): the rows a daily run computes
    select
        o.code,
        o.date,
        o.row_idx,
        o.close,
        o.prev_close,
        {{ relative_change('o.close', 'o.prev_close') }} as day_return,
        c.row_idx as state_row
    from {{ ref('int_price_observations') }} as o
    inner join carried as c using (code)
    where o.row_idx >= c.row_idx and o.date >= (select min(date) from last_rows)
    union all by name
    select
        code, date, row_idx, close, prev_close,
        {{ relative_change('close', 'prev_close') }} as day_return, cast(null as integer) as state_row
    from {{ ref('int_price_observations') }}
    where code in (select code from redo_codes)
),

{% endif -%}
{%- set wilder_sides = [('gain', rsi_gain), ('loss', rsi_loss)] %}
{#- the recursion's columns, in one order for its anchor and its step: the EMAs, each Wilder mean with
    the running sum of its first n values (TA-Lib's seed), the MACD signal -#}
anchors as (  -- where each code's recursion starts: its first observation, or a carried code's state row
    select
        code,
        date,
        row_idx,
        close,
        cast(null as double) as day_return,  -- returns_1d (for the volatility): none on the first row
        false as is_state,
        {%- for span in ema_spans %}
        close as ema_{{ span }},  -- pandas seeds an EMA with the first value
        {%- endfor %}
        {%- for n in wilder_periods %}
        {%- for side, _ in wilder_sides %}
        cast(0 as double) as rsi_{{ n }}_{{ side }}_sum,  -- row 1 has no change
        cast(null as double) as rsi_{{ n }}_{{ side }},
        {%- endfor %}
        {%- endfor %}
        cast(0 as double) as macd_signal  -- EMA 12 − EMA 26 on the first row: the signal's seed
    from {{ ref('int_price_observations') }}
    where row_idx = 1
    {%- if carry %}
      and code in (select code from redo_codes)
    union all by name
    select
        code, date, row_idx, close, cast(null as double) as day_return, true as is_state,
        {%- for span in ema_spans %}
        ema_{{ span }},
        {%- endfor %}
        {%- for n in wilder_periods %}
        {%- for side, _ in wilder_sides %}
        cast(null as double) as rsi_{{ n }}_{{ side }}_sum,  -- past the warm-up: not needed
        rsi_{{ n }}_{{ side }},
        {%- endfor %}
        {%- endfor %}
        macd_signal
    from carried
    {%- endif %}
),

{#- the rows a step reads, joined on (code, row_idx + 1): a full refresh, the stored observations
    themselves; a daily run, only its own rows (a step would otherwise scan the whole table) -#}
{%- set step_rows = 'observations' if carry else ref('int_price_observations') %}
smoothed as (  -- one observation per step
    select * from anchors
    union all
    select
        o.code,
        o.date,
        o.row_idx,
        o.close,
        {{ relative_change('o.close', 'o.prev_close') }} as day_return,  -- prev_close: the previous observation's close
        false as is_state,
        {%- for span in ema_spans %}
        {{ ema_step('o.close', 's.ema_' ~ span, span) }} as ema_{{ span }},
        {%- endfor %}
        {%- for n in wilder_periods %}
        {%- for side, value in wilder_sides %}
        {%- set x = value('o.close - o.prev_close') %}
        case when o.row_idx <= {{ n + 1 }} then s.rsi_{{ n }}_{{ side }}_sum + {{ x }} end as rsi_{{ n }}_{{ side }}_sum,
        case when o.row_idx = {{ n + 1 }} then (s.rsi_{{ n }}_{{ side }}_sum + {{ x }}) / {{ n }}
             when o.row_idx > {{ n + 1 }} then {{ wilder_step(x, 's.rsi_' ~ n ~ '_' ~ side, n) }}
        end as rsi_{{ n }}_{{ side }},
        {%- endfor %}
        {%- endfor %}
        {{ ema_step('(' ~ ema_step('o.close', 's.ema_12', 12) ~ ') - (' ~ ema_step('o.close', 's.ema_26', 26) ~ ')',
                    's.macd_signal', 9) }} as macd_signal
    from smoothed as s
    inner join {{ step_rows }} as o on o.code = s.code and o.row_idx = s.row_idx + 1
),

{%- set volatility_columns = [] %}
{%- for n in volatility_rows %}
{#- a day return is NULL on a code's first row only (its prev_close; closes are > 0) -#}
{%- do volatility_columns.append(rolling_volatility('day_return', n, non_null_from=2) ~ ' as volatility_' ~ n ~ 'd') %}
{%- endfor %}
{% if carry -%}
window_rows as (  -- the same rows, estimated by DuckDB at about one per code (see regrouped)
    {{ regrouped('observations') }}
),

volatility_history as (  -- a carried code's returns that its new rows' volatility windows reach
    select o.code, o.row_idx, {{ relative_change('o.close', 'o.prev_close') }} as day_return
    from {{ ref('int_price_observations') }} as o
    inner join carried as c using (code)
    where o.row_idx > c.row_idx - {{ volatility_rows | max }} and o.date >= (select date from history_start)
),

volatility as (
    -- a carried code's new row: each window as one small aggregate over the row and its predecessors
    select
        v.code,
        v.row_idx,
        {%- for n in volatility_rows %}
        (case when v.row_idx > {{ n }}  -- n returns: rows 2 on have one
         then stddev_samp(h.day_return order by h.row_idx) filter (where h.row_idx > v.row_idx - {{ n }}) end) * sqrt(252.0)
            as volatility_{{ n }}d{{ ',' if not loop.last }}
        {%- endfor %}
    from observations as v
    inner join volatility_history as h
        on h.code = v.code and h.row_idx between v.row_idx - {{ (volatility_rows | max) - 1 }} and v.row_idx
    where v.row_idx > v.state_row
    group by v.code, v.row_idx
    union all by name
    select  -- a code recomputed whole: the windows over its rows
        code,
        row_idx,
        {{ volatility_columns | join(',\n        ') }}
    from window_rows
    where state_row is null
),

regime_history as (  -- a carried code's stored volatilities that a new row's trailing-252 window reaches
    select stored.code, stored.row_idx, stored.volatility_20d
    from {{ this }} as stored
    inner join carried as c using (code)
    where stored.row_idx > c.row_idx - {{ regime_rows }}
      and stored.date >= (select date from history_start)
),

regime as (
    -- a new row's trailing quantiles over its stored and new predecessors: one small aggregate per
    -- row instead of a 252-row window over every carried code's history
    select
        v.code,
        v.row_idx,
        v.volatility_20d,
        v.volatility_60d,
        quantile_cont(earlier.volatility_20d, {{ regime_quantiles }}) as regime_thresholds
    from volatility as v
    inner join (
        select code, row_idx, volatility_20d from regime_history
        union all
        select code, row_idx, volatility_20d from volatility
    ) as earlier
        on earlier.code = v.code and earlier.row_idx between v.row_idx - {{ regime_rows - 1 }} and v.row_idx
    group by v.code, v.row_idx, v.volatility_20d, v.volatility_60d
)

{%- else -%}
volatility as (  -- the windows over the recursion's rows (no join of two full-market relations)
    select *, {{ volatility_columns | join(', ') }}
    from smoothed
),

regime as (  -- both regime thresholds from one window aggregate
    select *, {{ trailing_quantiles('volatility_20d', regime_quantiles, regime_rows) }} as regime_thresholds
    from volatility
)
{%- endif %}

select
    s.code,
    s.date,
    s.row_idx,
    s.close,
    {%- for span in ema_spans %}
    s.ema_{{ span }},
    {%- endfor %}
    s.macd_signal,
    {%- for n in wilder_periods %}
    s.rsi_{{ n }}_gain,
    s.rsi_{{ n }}_loss,
    {%- endfor %}
    {%- set r = 'r' if carry else 's' %}
    {{ r }}.volatility_20d,
    {{ r }}.volatility_60d,
    {{ threshold_flag(r ~ '.volatility_20d', r ~ '.regime_thresholds[2]', '>') }} as high_vol_flag,
    {{ threshold_flag(r ~ '.volatility_20d', r ~ '.regime_thresholds[1]', '<') }} as low_vol_flag
{%- if carry %}
from smoothed as s
inner join regime as r using (code, row_idx)
{%- else %}
from regime as s
{%- endif %}
where not s.is_state
{%- if not carry %}
order by s.date, s.code  -- date order: a daily run's date filters skip whole row groups
{%- endif %}
