{#-
  1 when x is above (direction '>') or below ('<') the continuous q-quantile of its own trailing
  n rows including this one (NULLs ignored), else 0; NULL when x is NULL. Point in time: only
  rows <= t are used.
-#}
{% macro trailing_quantile_flag(x, q, n, direction='>', order_by='row_idx', partition_by='code') -%}
    case when {{ x }} is null then null
         when {{ x }} {{ direction }} quantile_cont({{ x }}, {{ q }}) over (partition by {{ partition_by }} order by {{ order_by }}
              rows between {{ n - 1 }} preceding and current row) then 1 else 0 end
{%- endmacro %}
