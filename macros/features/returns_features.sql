{#- Returns (4): C_t / C_{t-h} - 1 over observations, stored raw (whole-sample winsorizing leaks). -#}
{% macro returns_features(relation) -%}
select
    *,
    {{ simple_return('close', 1) }}  as returns_1d,
    {{ simple_return('close', 5) }}  as returns_5d,
    {{ simple_return('close', 10) }} as returns_10d,
    {{ simple_return('close', 20) }} as returns_20d
from {{ relation }}
{%- endmacro %}
