{{ config(materialized='view') }}  {#- read once, by int_enrichment__blocks #}
-- Cross-section block: each stock's percentile rank
-- (ties averaged) and z-score among all codes on the same date.
-- One narrow window pass per column, joined on (code, date): in a single select each window
-- operator carries the columns of the ones before it, and the five sorts cost more than the joins
-- (int_enrichment__blocks' full-refresh query, 8 runs each: median 9.7 → 8.6 s).
{%- set columns = ['returns_1d', 'returns_5d', 'returns_20d', 'volatility_20d', 'turnover_value'] %}
with
{%- for x in columns %}

{{ x }}_ranked as (
    select
        code,
        date,
        {{ cross_sectional_pct_rank(x) }} as {{ x }}_cs_pct,
        {{ cross_sectional_zscore(x) }}   as {{ x }}_cs_z
    from {{ ref('ml_dataset') }}
){{ ',' if not loop.last }}
{%- endfor %}

select
    code,
    date,
    {%- for x in columns %}
    {{ x }}_cs_pct,
    {{ x }}_cs_z{{ ',' if not loop.last }}
    {%- endfor %}
from {{ columns[0] }}_ranked
{%- for x in columns[1:] %}
inner join {{ x }}_ranked using (code, date)
{%- endfor %}
