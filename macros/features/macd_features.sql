{#- MACD (2): m = EMA(C, 12) - EMA(C, 26); signal = EMA(m, 9) (long memory); histogram = m - signal. -#}
{% macro macd_features(relation) -%}
    select * exclude (ema_12, ema_26), (ema_12 - ema_26) - macd_signal as macd_histogram from {{ relation }}
{%- endmacro %}
