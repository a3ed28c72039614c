{#- Bollinger (2): M = mean20(C), s = population std20(C), bands M ± 2s; %b (not clipped) and bandwidth.
    bollinger_windows: the band's moments, taken in the shared window pass (feature_windows). -#}
{% macro bollinger_windows() -%}
    {{ rolling_mean('close', 20) }}             as close_mean_20,
    {{ rolling_std('close', 20, ddof=0) }}      as close_pop_std_20
{%- endmacro %}

{% macro bollinger_features(relation) -%}
select
    * exclude (close_mean_20, close_pop_std_20),
    {{ bollinger_pct_b('close', 'close_mean_20', 'close_pop_std_20', 2) }}  as bb_pct_b,
    {{ bollinger_bandwidth('close_mean_20', 'close_pop_std_20', 2) }}       as bb_bandwidth
from {{ relation }}
{%- endmacro %}
