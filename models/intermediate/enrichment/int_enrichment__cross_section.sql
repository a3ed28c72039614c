{{ config(materialized='view') }}  {#- read once, by int_enrichment__blocks #}
-- Cross-section block: each stock's percentile rank
-- (ties averaged) and z-score among all codes on the same date.
-- One window pass per column, each over the previous one's output: a pass holds one sort's rows
-- at a time. Five passes side by side, joined on (code, date), kept five sorts and four hash
-- tables in memory together, which is slower under the profile's 3 GB limit than chaining them.
{%- set columns = ['returns_1d', 'returns_5d', 'returns_20d', 'volatility_20d', 'turnover_value'] %}
with

    features as (select code, date, {{ columns | join(', ') }} from {{ ref('ml_dataset') }}),
    {%- for x in columns %}

        {{ x }}_ranked as (
            select
                *, {{ cross_sectional_pct_rank(x) }} as {{ x }}_cs_pct, {{ cross_sectional_zscore(x) }} as {{ x }}_cs_z
            from {{ 'features' if loop.first else columns[loop.index0 - 1] ~ '_ranked' }}
        ){{ ',' if not loop.last }}
    {%- endfor %}

select code, date, {%- for x in columns %} {{ x }}_cs_pct, {{ x }}_cs_z{{ ',' if not loop.last }} {%- endfor %}
from {{ columns[-1] }}_ranked
