{#- Bollinger (2): M = mean20(C), s = population std20(C), bands M ± 2s; %b (not clipped) and bandwidth. -#}
{% macro bollinger_features(relation) -%}
    select
        * exclude (close_mean_20, close_pop_std_20),
        {{ bollinger_pct_b('close', 'close_mean_20', 'close_pop_std_20', 2) }} as bb_pct_b,
        {{ bollinger_bandwidth('close_mean_20', 'close_pop_std_20', 2) }} as bb_bandwidth
    from {{ relation }}
{%- endmacro %}
