{#- Bollinger %b: (x - lower) / (upper - lower), bands mean_n ± k·pop-std_n; not clipped; NULL if the bands collapse. -#}
{% macro bollinger_pct_b(x, n=20, k=2, order_by='row_idx', partition_by='code') -%}
    ({{ x }} - (({{ rolling_mean(x, n, order_by, partition_by) }}) - {{ k }} * ({{ rolling_std(x, n, 0, order_by, partition_by) }})))
    / nullif(2 * {{ k }} * ({{ rolling_std(x, n, 0, order_by, partition_by) }}), 0)
{%- endmacro %}

{#- Bollinger bandwidth: (upper - lower) / middle. -#}
{% macro bollinger_bandwidth(x, n=20, k=2, order_by='row_idx', partition_by='code') -%}
    2 * {{ k }} * ({{ rolling_std(x, n, 0, order_by, partition_by) }}) / nullif({{ rolling_mean(x, n, order_by, partition_by) }}, 0)
{%- endmacro %}
