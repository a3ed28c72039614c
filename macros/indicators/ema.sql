{#- pandas x.ewm(span=span, adjust=False).mean(): alpha = 2 / (span + 1), seeded with the first value.
    seed_row / seed_value continue it from a stored value instead (a daily run carrying its state);
    block_sum: the two-pass form from a column of ema_block_sum (see exponential_smoothing). -#}
{% macro ema(x, span, index='row_idx', partition_by='code', seed_row=1, seed_value=none, block_sum=none) -%}
    {{ exponential_smoothing(x, 2.0 / (span + 1), index, partition_by, seed_row, seed_value, block_sum) }}
{%- endmacro %}

{#- Pass one of the two-pass EMA: its weighted sum over the row's block so far. -#}
{% macro ema_block_sum(x, span, index='row_idx', partition_by='code', seed_row=1) -%}
    {{ exponential_smoothing_block_sum(x, 2.0 / (span + 1), index, partition_by, seed_row) }}
{%- endmacro %}
