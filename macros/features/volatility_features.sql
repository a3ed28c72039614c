{#- Volatility (7): 20/60-row volatility of daily returns (annualised) and the trailing-252 regime
    flags come from the long memory; here their ratio and change, and Parkinson's high-low volatility. -#}
{% macro volatility_features(relation) -%}
with

levels as (
    select
        *,
        lag(volatility_20d) over (partition by code order by row_idx) as volatility_20d_prev,
        sqrt(({{ rolling_mean('ln(high / low) ^ 2', 20) }}) / (4 * ln(2.0))) * sqrt(252.0) as parkinson_vol_20d
    from {{ relation }}
)

select
    * exclude (volatility_20d_prev),
    {{ safe_divide('volatility_20d', 'volatility_60d') }}           as volatility_ratio,
    {{ safe_divide('volatility_20d', 'volatility_20d_prev') }} - 1  as volatility_change
from levels
{%- endmacro %}
