{#- Trailing n-row mean of x, NULL until n non-NULL values are in the window. -#}
{% macro rolling_mean(x, n, order_by='row_idx', partition_by='code') -%}
    case
        when
            count({{ x }}) over (
                partition by {{ partition_by }}
                order by {{ order_by }} rows between {{ n - 1 }} preceding and current row
            )
            = {{ n }}
        then
            avg({{ x }}) over (
                partition by {{ partition_by }}
                order by {{ order_by }} rows between {{ n - 1 }} preceding and current row
            )
    end
{%- endmacro %}
