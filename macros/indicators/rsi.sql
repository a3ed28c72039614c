{#-
  Wilder's RSI exactly as TA-Lib RSI, from a column of one-row changes (NULL on row 1):
  100 * G / (G + L) with G, L the Wilder means of gains and losses; 50 when G + L = 0; NULL
  before row n + 1.
-#}
{% macro rsi(change, n, index='row_idx', partition_by='code') -%}
    {%- set gain = wilder_mean('greatest(' ~ change ~ ', 0)', n, index, partition_by) -%}
    {%- set loss = wilder_mean('greatest(-(' ~ change ~ '), 0)', n, index, partition_by) -%}
    case
        when ({{ gain }}) + ({{ loss }}) = 0 then 50.0
        else 100.0 * ({{ gain }}) / (({{ gain }}) + ({{ loss }}))
    end
{%- endmacro %}
