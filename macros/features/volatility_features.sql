{#- Volatility (7): 20/60-row volatility of daily returns (annualised) and the trailing-252 regime
    flags come from the long memory; here their ratio and change, and Parkinson's high-low volatility.
    volatility_windows: the previous row's volatility and the 20-row mean of ln(H/L)², taken in the
    shared window pass (feature_windows). -#}
{% macro volatility_windows() -%}
    lag(volatility_20d) over (partition by code order by row_idx) as volatility_20d_prev,
    {{ rolling_mean('ln(high / low) ^ 2', 20) }}                  as log_range_sq_mean_20
{%- endmacro %}

{% macro volatility_features(relation) -%}
select
    * exclude (volatility_20d_prev, log_range_sq_mean_20),
    sqrt(log_range_sq_mean_20 / (4 * ln(2.0))) * sqrt(252.0)        as parkinson_vol_20d,
    {{ safe_divide('volatility_20d', 'volatility_60d') }}           as volatility_ratio,
    {{ safe_divide('volatility_20d', 'volatility_20d_prev') }} - 1  as volatility_change
from {{ relation }}
{%- endmacro %}
