{{ config(
    materialized='incremental',
    unique_key=['date'],
    incremental_strategy='delete+insert',
    on_schema_change='fail'
) }}
-- Winsorizing bounds: per date, the cross-sectional 1st and 99th percentiles (continuous) of the
-- four returns over every observation of that date; ml_dataset clips returns_*_w to them.
-- Stored so that a daily run computes the new dates only (each code's rows after the last stored
-- day and the 20 before them: returns_20d looks 20 rows back), and a code that ml_dataset
-- recomputes whole — a split restated its adjusted history — takes the stored bounds of its past
-- dates instead of re-ranking the whole market's history on such a day. A split scales a code's history, which leaves its returns, and so these bounds,
-- unchanged but for the last bits.
{%- set return_rows = 20 %}
{%- set horizons = [1, 5, 10, 20] %}
{%- set last_day = last_stored_day() %}
with

{% if last_day is not none -%}
first_needed as (  -- per code with new observations: the first row its new returns read
    select code, min(row_idx) - {{ return_rows }} as from_row
    from {{ ref('int_price_observations') }}
    where date > '{{ last_day }}'
    group by code
),

history_start as (  -- the earliest day those rows reach (observations are in date order: older row groups are skipped)
    {{ earliest_observation_day('first_needed', 'c.from_row') }}
),

observations as (
    select o.code, o.date, o.row_idx, o.close
    from {{ ref('int_price_observations') }} as o
    inner join first_needed as f using (code)
    where o.row_idx >= f.from_row
      and o.date >= (select date from history_start)
),

{% endif -%}
returns as materialized (  -- read once per year below
    select
        date,
        {%- for h in horizons %}
        {{ simple_return('close', h) }} as returns_{{ h }}d{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ 'observations' if last_day is not none else ref('int_price_observations') }}
)

{%- set columns = [] %}
{%- for h in horizons %}{% do columns.append('returns_' ~ h ~ 'd') %}{% endfor %}
{%- set new_days = " where date > '" ~ last_day ~ "'" if last_day is not none else '' %}
{#- one aggregate per year: the quantiles of 20 years at once do not fit the memory limit -#}
{%- set years = [] %}
{%- if execute %}
{%- set years = run_query("select distinct year(date) from " ~ ref('int_price_observations') ~ new_days ~ " order by 1").columns[0].values() %}
{%- endif %}
{%- set chunks = [] %}
{%- for year in years %}{% do chunks.append('year(date) = ' ~ year) %}{% endfor %}
{{ cross_sectional_bounds('returns' ~ new_days, columns, chunks=chunks) }}
order by date
