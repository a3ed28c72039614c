{#- Volatility family's window columns: the previous row's volatility and the 20-row mean of
    ln(H/L)², taken in the shared window pass (feature_windows). -#}
{% macro volatility_windows() -%}
    lag(volatility_20d) over (partition by code order by row_idx) as volatility_20d_prev,
    {{ rolling_mean('ln(high / low) ^ 2', 20) }} as log_range_sq_mean_20
{%- endmacro %}
