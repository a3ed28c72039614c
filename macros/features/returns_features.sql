{#- Returns (4): C_t / C_{t-h} - 1 over observations, stored raw (whole-sample winsorizing leaks).
    returns_windows: the closes h rows back, taken in the shared window pass (feature_windows). -#}
{% macro returns_windows() -%}
    {%- for h in [1, 5, 10, 20] %}
    lag(close, {{ h }}) over (partition by code order by row_idx) as close_{{ h }}_back{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro returns_features(relation) -%}
select
    * exclude (close_1_back, close_5_back, close_10_back, close_20_back),
    {%- for h in [1, 5, 10, 20] %}
    {{ relative_change('close', 'close_' ~ h ~ '_back') }} as returns_{{ h }}d{{ ',' if not loop.last }}
    {%- endfor %}
from {{ relation }}
{%- endmacro %}
