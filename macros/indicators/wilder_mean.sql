{#-
  Wilder's smoothing as TA-Lib seeds it: x starts at row 2 (a change), the first value (row n+1)
  is the simple mean of the first n values, then S_t = ((n - 1) * S_{t-1} + x_t) / n.
-#}
{% macro wilder_mean(x, n, index='row_idx', partition_by='code') -%}
    {%- set seed -%}
        sum(case when {{ index }} between 2 and {{ n + 1 }} then {{ x }} end) over (partition by {{ partition_by }} order by {{ index }}
            rows between unbounded preceding and unbounded following) / {{ n }}.0
    {%- endset -%}
    {{ exponential_smoothing(x, 1.0 / n, index, partition_by, n + 1, seed) }}
{%- endmacro %}
