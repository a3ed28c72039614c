{#- pandas x.ewm(span=span, adjust=False).mean(): alpha = 2 / (span + 1), seeded with the first value. -#}
{% macro ema(x, span, index='row_idx', partition_by='code') -%}
    {{ exponential_smoothing(x, 2.0 / (span + 1), index, partition_by, 1) }}
{%- endmacro %}
