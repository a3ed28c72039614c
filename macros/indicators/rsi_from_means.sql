{#- Wilder's RSI exactly as TA-Lib RSI from the Wilder means of gains and losses: 100 * G / (G + L),
    the ratio first (100 * G / (G + L) rounds to 100.00000000000001 when L = 0); 50 when G + L = 0. -#}
{% macro rsi_from_means(gain, loss) -%}
    case when ({{ gain }}) + ({{ loss }}) = 0 then 50.0 else 100.0 * (({{ gain }}) / (({{ gain }}) + ({{ loss }}))) end
{%- endmacro %}
