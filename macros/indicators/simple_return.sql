{#- x / base - 1, NULL for a zero or NULL base: the return from base to x. -#}
{% macro relative_change(x, base) -%}
    {{ x }} / nullif({{ base }}, 0) - 1
{%- endmacro %}

{#- x_t / x_{t-h} - 1 over observations of the partition (NULL for the first h rows, or a 0 base). -#}
{% macro simple_return(x, h, order_by='row_idx', partition_by='code') -%}
    {{ relative_change(x, 'lag(' ~ x ~ ', ' ~ h ~ ') over (partition by ' ~ partition_by ~ ' order by ' ~ order_by ~ ')') }}
{%- endmacro %}

{#- x_{t+h} / x_t - 1: the return over the next h observations (a target; NULL on the last h rows). -#}
{% macro forward_return(x, h, order_by='row_idx', partition_by='code') -%}
    {{ relative_change('lead(' ~ x ~ ', ' ~ h ~ ') over (partition by ' ~ partition_by ~ ' order by ' ~ order_by ~ ')', x) }}
{%- endmacro %}
