{#- Returns (4): C_t / C_{t-h} - 1 over observations, stored raw (whole-sample winsorizing leaks). -#}
{% macro returns_features(relation) -%}
    select
        * exclude (close_1_back, close_5_back, close_10_back, close_20_back),
        {%- for h in [1, 5, 10, 20] %}
            {{ relative_change('close', 'close_' ~ h ~ '_back') }} as returns_{{ h }}d{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ relation }}
{%- endmacro %}
