{#- Volatility (7): 20/60-row volatility of daily returns (annualised) and the trailing-252 regime
    flags come from int_features__volatility; here their ratio and change, and Parkinson's high-low volatility. -#}
{% macro volatility_features(relation) -%}
    select
        * exclude (volatility_20d_prev, log_range_sq_mean_20),
        sqrt(log_range_sq_mean_20 / (4 * ln(2.0))) * sqrt(252.0) as parkinson_vol_20d,
        {{ safe_divide('volatility_20d', 'volatility_60d') }} as volatility_ratio,
        {{ safe_divide('volatility_20d', 'volatility_20d_prev') }} - 1 as volatility_change
    from {{ relation }}
{%- endmacro %}
