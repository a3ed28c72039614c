{#-
  Wilder's RSI exactly as TA-Lib RSI, from a column of one-row changes (NULL on row 1):
  100 * G / (G + L) with G, L the Wilder means of gains and losses; 50 when G + L = 0; NULL
  before row n + 1.
-#}
{% macro rsi(change, n, index='row_idx', partition_by='code') -%}
    {{ rsi_from_means(wilder_mean(rsi_gain(change), n, index, partition_by),
                      wilder_mean(rsi_loss(change), n, index, partition_by)) }}
{%- endmacro %}

{#- RSI from the Wilder means of gains and losses (stored separately so a daily run can continue them).
    The ratio first, as TA-Lib: 100 * G / (G + L) rounds to 100.00000000000001 when L = 0. -#}
{% macro rsi_from_means(gain, loss) -%}
    case
        when ({{ gain }}) + ({{ loss }}) = 0 then 50.0
        else 100.0 * (({{ gain }}) / (({{ gain }}) + ({{ loss }})))
    end
{%- endmacro %}

{#- The gain and the loss of a one-row change (both ≥ 0; NULL stays NULL). -#}
{% macro rsi_gain(change) %}greatest({{ change }}, 0){% endmacro %}
{% macro rsi_loss(change) %}greatest(-({{ change }}), 0){% endmacro %}
