{#- Bollinger (2): M = mean20(C), s = population std20(C), bands M ± 2s; %b (not clipped) and bandwidth. -#}
{% macro bollinger_features(relation) -%}
select
    *,
    {{ bollinger_pct_b('close', 20, 2) }}      as bb_pct_b,
    {{ bollinger_bandwidth('close', 20, 2) }}  as bb_bandwidth
from {{ relation }}
{%- endmacro %}
