{#- Returns family's window columns: the closes h rows back, taken in the shared window pass
    (feature_windows). -#}
{% macro returns_windows() -%}
    {%- for h in [1, 5, 10, 20] %}
        lag(close, {{ h }}) over (partition by code order by row_idx) as close_{{ h }}_back{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
