{#- x_t / x_{t-h} - 1 over observations of the partition (NULL for the first h rows, or a 0 base). -#}
{% macro simple_return(x, h, order_by='row_idx', partition_by='code') -%}
    {{ relative_change(x, 'lag(' ~ x ~ ', ' ~ h ~ ') over (partition by ' ~ partition_by ~ ' order by ' ~ order_by ~ ')') }}
{%- endmacro %}
