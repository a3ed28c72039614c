{#- pandas x.ewm(span=span, adjust=False).mean(): alpha = 2 / (span + 1), seeded with the first value.
    seed_row / seed_value continue it from a stored value instead (a daily run carrying its state). -#}
{% macro ema(x, span, index='row_idx', partition_by='code', seed_row=1, seed_value=none) -%}
    {{ exponential_smoothing(x, 2.0 / (span + 1), index, partition_by, seed_row, seed_value) }}
{%- endmacro %}
