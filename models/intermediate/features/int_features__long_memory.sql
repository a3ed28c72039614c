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
-- Stored per observation so a daily run continues each code from its last stored row — the
-- recursion's state — reading back 59 returns (the 60-row volatility's window) and 251 stored
-- volatilities (the regime's) instead of the whole history. A code whose stored last row no longer
-- matches its observation (a split restated its adjusted history) or that has no Wilder state yet
-- (≤ 15 rows) is recomputed whole; a full refresh recomputes all.
-- Keyed on (code, date), not row_idx: the delete of a daily run's rows then skips older days' row groups.
-- Two window passes: the smoothings with the volatility, then the MACD signal with the regime (a
-- daily run takes a new row's volatility and regime as small aggregates over its predecessors).
{%- set carry = is_incremental() %}
{%- set ema_spans = [5, 10, 12, 20, 26, 60, 200] %}
{%- set wilder_periods = [14, 2] %}
{%- set volatility_rows = [20, 60] %}  {#- one-day returns per volatility window #}
{%- set regime_rows = 252 %}
{%- set regime_quantiles = [0.2, 0.8] %}  {#- low_vol_flag below the first, high_vol_flag above the second #}
with

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

{% endif -%}
observations as (  -- full refresh: every row; daily run: a carried code's state row and its new rows,
                   -- and every row of a changed code that is not carried (recomputed whole)
    select
        o.code,
        o.date,
        o.row_idx,
        o.close,
        o.close - o.prev_close as change,
        {{ relative_change('o.close', 'o.prev_close') }} as day_return,  -- returns_1d: prev_close is the previous observation's close
        {%- if carry %}
        c.row_idx as state_row,
        {%- for span in ema_spans %}
        c.ema_{{ span }} as carried_ema_{{ span }},
        {%- endfor %}
        {%- for n in wilder_periods %}
        c.rsi_{{ n }}_gain as carried_rsi_{{ n }}_gain,
        c.rsi_{{ n }}_loss as carried_rsi_{{ n }}_loss,
        {%- endfor %}
        c.macd_signal as carried_macd_signal
        {%- else %}
        cast(null as integer) as state_row
        {%- endif %}
    from {{ ref('int_price_observations') }} as o
    {%- if carry %}
    inner join carried as c using (code)
    where o.row_idx >= c.row_idx and o.date >= (select min(date) from last_rows)
    union all by name
    select
        code, date, row_idx, close, close - prev_close as change,
        {{ relative_change('close', 'prev_close') }} as day_return, cast(null as integer) as state_row
    from {{ ref('int_price_observations') }}
    where code in (select code from redo_codes)
    {%- endif %}
),

{# Two window passes. Each smoothing starts as its indicator defines it (full refresh, or a code
   recomputed whole) or, for a carried code, from its state row with the stored value (the history
   rows before it stay NULL). The MACD legs are whole in the first pass (the signal smooths them in
   the second); the other smoothings take the two-pass form — their block sums in the first pass,
   the previous block's total by a lag in the second — which saves a variable-frame sum each. -#}
{%- set one_pass_spans = [12, 26] %}
{%- set wilder_sides = [('gain', rsi_gain('change')), ('loss', rsi_loss('change'))] %}
{#- each smoothing's seed: a carried code's state row and stored value, else (none) the indicator's own #}
{%- set seeds = {'macd_signal': ('coalesce(state_row, 1)' if carry else 1,
                                 'coalesce(carried_macd_signal, ' ~ first_at('ema_12 - ema_26', 1) ~ ')' if carry else none)} %}
{%- for span in ema_spans %}
{%- do seeds.update({'ema_' ~ span: ('coalesce(state_row, 1)' if carry else 1,
                                     'coalesce(carried_ema_' ~ span ~ ', ' ~ first_at('close', 1) ~ ')' if carry else none)}) %}
{%- endfor %}
{%- for n in wilder_periods %}
{%- for side, x in wilder_sides %}
{%- do seeds.update({'rsi_' ~ n ~ '_' ~ side: ('coalesce(state_row, ' ~ (n + 1) ~ ')' if carry else none,
                                               'coalesce(carried_rsi_' ~ n ~ '_' ~ side ~ ', ' ~ wilder_seed(x, n) ~ ')' if carry else none)}) %}
{%- endfor %}
{%- endfor %}
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
    -- (a window pass over the 59 rows before every state row cost 0.1 s more)
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

{% endif -%}
smoothed as (  -- first pass (a daily run: a carried code's smoothings from its state row on)
    {%- set columns = [] %}
    {%- for span in ema_spans %}
    {%- set seed_row, seed_value = seeds['ema_' ~ span] %}
    {%- if span in one_pass_spans %}
    {%- do columns.append(ema('close', span, seed_row=seed_row, seed_value=seed_value) ~ ' as ema_' ~ span) %}
    {%- else %}
    {%- do columns.append(ema_block_sum('close', span, seed_row=seed_row) ~ ' as ema_' ~ span ~ '_block_sum') %}
    {%- endif %}
    {%- endfor %}
    {%- for n in wilder_periods %}
    {%- for side, x in wilder_sides %}
    {%- set name = 'rsi_' ~ n ~ '_' ~ side %}
    {%- do columns.append(wilder_block_sum(x, n, seed_row=seeds[name][0]) ~ ' as ' ~ name ~ '_block_sum') %}
    {%- endfor %}
    {%- endfor %}
    {%- if not carry %}
    {%- do columns.extend(volatility_columns) %}
    {%- endif %}
    select
        *,
        {{ columns | join(',\n        ') }}
    from {{ 'window_rows' if carry else 'observations' }}
),

with_signal as (  -- second pass: the two-pass smoothings, the MACD signal, a full refresh's regime flags
    {%- set columns = [] %}
    {%- for span in ema_spans if span not in one_pass_spans %}
    {%- set seed_row, seed_value = seeds['ema_' ~ span] %}
    {%- do columns.append(ema('close', span, seed_row=seed_row, seed_value=seed_value, block_sum='ema_' ~ span ~ '_block_sum')
        ~ ' as ema_' ~ span) %}
    {%- endfor %}
    {%- for n in wilder_periods %}
    {%- for side, x in wilder_sides %}
    {%- set name = 'rsi_' ~ n ~ '_' ~ side %}
    {%- do columns.append(wilder_mean(x, n, seed_row=seeds[name][0], seed_value=seeds[name][1], block_sum=name ~ '_block_sum')
        ~ ' as ' ~ name) %}
    {%- endfor %}
    {%- endfor %}
    {%- set seed_row, seed_value = seeds['macd_signal'] %}
    {%- do columns.append(ema('ema_12 - ema_26', 9, seed_row=seed_row, seed_value=seed_value) ~ ' as macd_signal') %}
    {%- if not carry %}
    {#- both regime thresholds from one window aggregate: two quantile windows cost 6 s more (full market) -#}
    {%- do columns.append(trailing_quantiles('volatility_20d', regime_quantiles, regime_rows) ~ ' as regime_thresholds') %}
    {%- endif %}
    select
        *,
        {{ columns | join(',\n        ') }}
    from smoothed
){{ ',' if carry }}

{% if carry -%}
new_rows as (  -- the rows a daily run adds (those of a code recomputed whole: all), with their volatility
    select code, row_idx, volatility_20d from volatility
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
        quantile_cont(earlier.volatility_20d, {{ regime_quantiles }}) as regime_thresholds
    from new_rows as v
    inner join (
        select * from regime_history
        union all
        select * from new_rows
    ) as earlier
        on earlier.code = v.code and earlier.row_idx between v.row_idx - {{ regime_rows - 1 }} and v.row_idx
    group by v.code, v.row_idx
)

{% endif -%}
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
    {%- set v = 'v' if carry else 's' %}
    {{ v }}.volatility_20d,
    {{ v }}.volatility_60d,
    {{ threshold_flag(v ~ '.volatility_20d', ('r' if carry else 's') ~ '.regime_thresholds[2]', '>') }} as high_vol_flag,
    {{ threshold_flag(v ~ '.volatility_20d', ('r' if carry else 's') ~ '.regime_thresholds[1]', '<') }} as low_vol_flag
from with_signal as s
{%- if carry %}
inner join volatility as v using (code, row_idx)
inner join regime as r using (code, row_idx)
{%- endif %}
where s.row_idx > coalesce(s.state_row, 0)
{%- if not carry %}
order by s.date, s.code  -- date order: a daily run's date filters skip whole row groups
{%- endif %}
