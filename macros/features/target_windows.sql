{#- Target family's window columns: the closes h rows ahead, taken in the shared window pass
    (feature_windows). -#}
{% macro target_windows() -%}
    {%- for h in [1, 5, 10, 20] %}
        lead(close, {{ h }}) over (partition by code order by row_idx) as close_{{ h }}_ahead{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
