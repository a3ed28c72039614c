{#- Bollinger family's window columns: the band's moments, taken in the shared window pass
    (feature_windows). -#}
{% macro bollinger_windows() -%}
    {{ rolling_mean('close', 20) }} as close_mean_20, {{ rolling_std('close', 20, ddof=0) }} as close_pop_std_20
{%- endmacro %}
