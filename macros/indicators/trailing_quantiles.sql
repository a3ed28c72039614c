{#- The continuous quantiles `qs` (a list) of x over its trailing n rows including this one, as a LIST
    (one window aggregate for several quantiles). Point in time: only rows <= t are used. -#}
{% macro trailing_quantiles(x, qs, n, order_by='row_idx', partition_by='code') -%}
    quantile_cont({{ x }}, {{ qs }}) over (
        partition by {{ partition_by }} order by {{ order_by }} rows between {{ n - 1 }} preceding and current row
    )
{%- endmacro %}
