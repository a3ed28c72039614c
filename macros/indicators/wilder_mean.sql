{#-
  Wilder's smoothing as TA-Lib seeds it: x starts at row 2 (a change), the first value (row n+1)
  is the simple mean of the first n values, then S_t = ((n - 1) * S_{t-1} + x_t) / n.
  seed_row / seed_value continue it from a stored value instead (a daily run carrying its state);
  block_sum: the two-pass form from a column of wilder_block_sum (see exponential_smoothing).
-#}
{% macro wilder_mean(x, n, index='row_idx', partition_by='code', seed_row=none, seed_value=none, block_sum=none) -%}
    {{ exponential_smoothing(x, 1.0 / n, index, partition_by,
                             seed_row if seed_row is not none else n + 1,
                             seed_value if seed_value is not none else wilder_seed(x, n, index, partition_by),
                             block_sum) }}
{%- endmacro %}

{#- Pass one of the two-pass Wilder mean: its weighted sum over the row's block so far. -#}
{% macro wilder_block_sum(x, n, index='row_idx', partition_by='code', seed_row=none) -%}
    {{ exponential_smoothing_block_sum(x, 1.0 / n, index, partition_by, seed_row if seed_row is not none else n + 1) }}
{%- endmacro %}

{#- TA-Lib's Wilder seed: the mean of x over rows 2..n+1, on every row of the partition. -#}
{% macro wilder_seed(x, n, index='row_idx', partition_by='code') -%}
    sum(case when {{ index }} between 2 and {{ n + 1 }} then {{ x }} end) over (partition by {{ partition_by }} order by {{ index }}
        rows between unbounded preceding and unbounded following) / {{ n }}.0
{%- endmacro %}
