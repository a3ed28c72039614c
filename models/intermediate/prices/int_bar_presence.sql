{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail'
) }}
-- Bar presence: every (code, date) the bar feed has, traded or not (a day without trades has a bar
-- without prices), for the data-quality models that count bars and look for gaps over the whole
-- history: they read these three columns instead of deduplicating every raw bar through the
-- staging view (on the full market ~1 s of each of dq_missing_bars and dq_daily_report).
-- Daily run (incremental): appends the bars after the last stored day. Bars re-loaded for stored
-- days stop int_price_observations (built first) with the full-refresh advice, and this model with it.
-- depends_on: {{ ref('int_price_observations') }}
-- depends_on: {{ source('jquants', 'equities_bars_daily') }}
select code, date, has_trade
from
{%- if is_incremental() %}
    ({{ jquants_daily_bars(after=last_stored_day_query()) }})
{%- else %}
    {{ ref('stg_jquants__daily_bars') }}
{%- endif %}
order by date  -- date order, as the other tables: a scan filtered on recent days skips older row groups
