{{ config(unique_key=['date']) }}
-- depends_on: {{ ref('int_daily_scope') }}  (a daily run's scope)
-- Winsorizing bounds: per date, the cross-sectional 1st and 99th percentiles (continuous) of the
-- four returns over every observation of that date; ml_dataset clips returns_*_w to them.
-- Stored so that a daily run computes the new dates only (over the codes in the run's scope,
-- int_daily_scope: a continued code's new rows and the 20 before them that returns_20d reads), and
-- a code that ml_dataset recomputes whole — a split restated its adjusted history — takes the
-- stored bounds of its past dates instead of re-ranking the whole market's history on such a day.
-- A split scales a code's history, which leaves its returns, and so these bounds, unchanged but
-- for the last bits.
{%- set return_rows = 20 %}
{%- set horizons = [1, 5, 10, 20] %}
{%- set last_day = last_stored_day() %}
with

    {% if last_day is not none -%}
        scope as ({{ daily_scope("date '" ~ last_day ~ "'") }}),

        observations as (  -- the run's codes: a continued code's new rows and the 20 rows its returns read
            {{ scoped_rows(ref('int_price_observations'), 'scope', return_rows) | indent(4) }}
        ),

    {% endif -%}
    returns as materialized(  -- read once per year below
        select
            date,
            {%- for h in horizons %}
                {{ simple_return('close', h) }} as returns_{{ h }}d{{ ',' if not loop.last }}
            {%- endfor %}
        from {{ 'observations' if last_day is not none else ref('int_price_observations') }}
    )

    {%- set columns = [] %}
    {%- for h in horizons %} {% do columns.append('returns_' ~ h ~ 'd') %} {% endfor %}
    {%- set new_days = " where date > '" ~ last_day ~ "'" if last_day is not none else '' %}
    {#- one aggregate per two years: the quantiles of 10 years at once do not fit the memory limit
        (quantile aggregates cannot spill), and each aggregate scans the returns whole -#}
    {%- set chunk_of_date = 'year(date) // 2' %}
    {%- set chunk_keys = [] %}
    {%- if execute %}
        {%- set chunk_keys = run_query("select distinct " ~ chunk_of_date ~ " from " ~ ref('int_price_observations') ~ new_days ~ " order by 1").columns[0].values() %}
    {%- endif %}
    {%- set chunks = [] %}
    {%- for key in chunk_keys %} {% do chunks.append(chunk_of_date ~ ' = ' ~ key) %} {% endfor %}
    {{ cross_sectional_bounds('returns' ~ new_days, columns, chunks=chunks) }}
order by date
