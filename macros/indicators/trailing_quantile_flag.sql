{#- The continuous quantiles `qs` (a list) of x over its trailing n rows including this one, as a LIST
    (one window aggregate for several quantiles). Point in time: only rows <= t are used. -#}
{% macro trailing_quantiles(x, qs, n, order_by='row_idx', partition_by='code') -%}
    quantile_cont({{ x }}, {{ qs }}) over (partition by {{ partition_by }} order by {{ order_by }}
        rows between {{ n - 1 }} preceding and current row)
{%- endmacro %}

{#- 1 when x is above ('>') or below ('<') the threshold, else 0; NULL when x is NULL.
    x and a threshold within `rel_tol` of each other count as equal (not above, not below): windowed
    aggregates carry float noise in their last bits that depends on how many rows the window operator
    holds (a full refresh and a daily run differ there), so a value that equals its own trailing
    quantile (a repeated volatility) would otherwise flip between builds. -#}
{% macro threshold_flag(x, threshold, direction='>', rel_tol=1e-12) -%}
    {%- set margin = '(' ~ rel_tol ~ ' * abs(' ~ threshold ~ '))' -%}
    case when {{ x }} is null then null
         when {{ x }} {{ direction }} {{ threshold }} {{ '+' if direction == '>' else '-' }} {{ margin }} then 1 else 0 end
{%- endmacro %}

{#-
  1 when x is above ('>') or below ('<') the continuous q-quantile of its own trailing n rows
  including this one (NULLs ignored), else 0; NULL when x is NULL (a tie within float noise: 0, see
  threshold_flag).
-#}
{% macro trailing_quantile_flag(x, q, n, direction='>', order_by='row_idx', partition_by='code') -%}
    {{ threshold_flag(x, '(' ~ trailing_quantiles(x, [q], n, order_by, partition_by) ~ ')[1]', direction) }}
{%- endmacro %}
