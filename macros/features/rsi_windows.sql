{#- RSI family's window columns: the previous row's RSI(14), taken in the shared window pass
    (feature_windows). -#}
{% macro rsi_windows() -%}
    lag({{ rsi_from_means('rsi_14_gain', 'rsi_14_loss') }}) over (partition by code order by row_idx) as rsi_14_prev
{%- endmacro %}
