{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail'
) }}
-- Bar presence: every (code, date) the bar feed has, traded or not (a day without trades has a bar
-- without prices), with the date of the code's previous bar, for the data-quality models that
-- count bars and look for gaps over the whole history: they read these columns instead of
-- deduplicating every raw bar through the staging view in each of dq_missing_bars and
-- dq_daily_report, and dq_missing_bars looks for gaps only where a bar's
-- previous one is more than a trading day back.
-- Daily run (incremental): appends the bars after the last stored day, the first new bar of a code
-- continuing from its last stored one. Bars re-loaded for stored days stop int_price_observations
-- (built first) with the full-refresh advice, and this model with it.
-- depends_on: {{ ref('int_price_observations') }}
-- depends_on: {{ source('jquants', 'equities_bars_daily') }}
{%- if is_incremental() %}
    with

        new_bars as (select code, date, has_trade from ({{ jquants_daily_bars(after=last_stored_day_query()) }})),

        last_stored as (  -- the last stored bar of each code with new bars
            select code, max(date) as last_date from {{ this }} where code in (select code from new_bars) group by code
        )

    select
        n.code,
        n.date,
        n.has_trade,
        coalesce(lag(n.date) over (partition by n.code order by n.date), s.last_date) as previous_bar_date
    from new_bars as n
    left join last_stored as s using (code)
{%- else %}
    select code, date, has_trade, lag(date) over (partition by code order by date) as previous_bar_date
    from {{ ref('stg_jquants__daily_bars') }}
{%- endif %}
order by date  -- date order, as the other tables: a scan filtered on recent days skips older row groups
