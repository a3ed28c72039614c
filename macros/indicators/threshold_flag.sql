{#- 1 when x is above ('>') or below ('<') the threshold, else 0; NULL when x is NULL.
    x and a threshold within `rel_tol` of each other count as equal (not above, not below): windowed
    aggregates carry float noise in their last bits that depends on how many rows the window operator
    holds (a full refresh and a daily run differ there), so a value that equals its own trailing
    quantile (a repeated volatility) would otherwise flip between builds. -#}
{% macro threshold_flag(x, threshold, direction='>', rel_tol=1e-12) -%}
    {%- set margin = '(' ~ rel_tol ~ ' * abs(' ~ threshold ~ '))' -%}
    case
        when {{ x }} is null
        then null
        when {{ x }} {{ direction }} {{ threshold }} {{ '+' if direction == '>' else '-' }} {{ margin }}
        then 1
        else 0
    end
{%- endmacro %}
