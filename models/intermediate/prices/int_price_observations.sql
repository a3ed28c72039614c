{{ config(
    materialized='incremental',
    unique_key=['code', 'date'],
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    post_hook="{{ store_bars_watermark(this) }}"
) }}
-- Observations: the (code, date) rows with an adjusted close, numbered per code. Every window
-- of the feature models counts these rows ("t - h" = h observations earlier), as a per-stock
-- TA library would. Days without trades stay in staging but are not observations, nor is a
-- close of 0 or less (unusable; models/quality flags it as an error).
--
-- Daily run (incremental): the bars after the last stored day, numbered on from each code's last
-- row. A new bar with an AdjFactor other than 1 (a split or merger) changes the adjusted prices
-- of all the code's earlier bars, so that code is reloaded whole. Bars that arrive for days at or
-- before the last stored day (a re-ingested past) need `dbt build --full-refresh`: a daily run that
-- finds such bars in the load ledger stops with that advice before writing anything
-- (assert_past_bars_unchanged; the post-hook stores the newest load it was built from).
-- depends_on: {{ source('jquants', 'equities_bars_daily') }}
-- depends_on: {{ source('jquants', '_loads') }}
{%- set carry = is_incremental() %}
{%- if carry %} {% do assert_past_bars_unchanged(this) %} {% endif %}
with

    {% if carry -%}
        stored as (
            select code, max(row_idx) as last_row, arg_max(close, row_idx) as last_close from {{ this }} group by code
        ),

        new_bars as (  -- adjusted from the raw bars after the last stored day only (see jquants_daily_bars)
            select * from ({{ jquants_daily_bars(after=last_stored_day_query()) }}) where adj_close > 0
        ),

        restated as (  -- codes whose adjusted history a new bar changes
            {{ restated_codes('new_bars') }}
        ),

        to_number as (  -- with the row and close each code continues from (0 / NULL: numbered from its first bar)
            select new_bars.*, coalesce(stored.last_row, 0) as rows_before, stored.last_close as close_before
            from new_bars
            left join stored using (code)
            where code not in (select code from restated)
            union all
            select *, 0 as rows_before, cast(null as double) as close_before
            from ({{ jquants_daily_bars(codes='select code from restated') }})
            where adj_close > 0
        )

    {%- else -%}
        to_number as (
            select *, 0 as rows_before, cast(null as double) as close_before
            from {{ ref('stg_jquants__daily_bars') }}
            where adj_close > 0
        )
    {%- endif %}

select
    code,
    date,
    adj_open as open,
    adj_high as high,
    adj_low as low,
    adj_close as close,
    adj_volume as volume,
    turnover_value,
    cast(rows_before + row_number() over (partition by code order by date) as integer) as row_idx,
    coalesce(lag(adj_close) over (partition by code order by date), close_before) as prev_close
from to_number
{%- if not carry %}
    order by date, code  -- date order, as daily runs append: date filters skip whole row groups
{%- endif %}
