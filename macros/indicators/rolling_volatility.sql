{#- Annualised volatility: rolling_std of daily returns × √252. -#}
{% macro rolling_volatility(returns, n, order_by='row_idx', partition_by='code', offset=0, non_null_from=none) -%}
    ({{ rolling_std(returns, n, 1, order_by, partition_by, offset, non_null_from) }}) * sqrt(252.0)
{%- endmacro %}
