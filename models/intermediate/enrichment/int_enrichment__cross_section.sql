{{ config(materialized='view') }}  {#- read once, by int_enrichment__blocks #}
-- Cross-section block: each stock's percentile rank
-- (ties averaged) and z-score among all codes on the same date.
{%- set columns = ['returns_1d', 'returns_5d', 'returns_20d', 'volatility_20d', 'turnover_value'] %}
select
    code,
    date,
    {%- for x in columns %}
    {{ cross_sectional_pct_rank(x) }} as {{ x }}_cs_pct,
    {{ cross_sectional_zscore(x) }}   as {{ x }}_cs_z{{ ',' if not loop.last }}
    {%- endfor %}
from {{ ref('ml_dataset') }}
