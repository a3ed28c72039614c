{#- Clip x into [lo, hi] (NULL stays NULL). -#}
{% macro clip_to_bounds(x, lo, hi) -%}
    least(greatest({{ x }}, {{ lo }}), {{ hi }})
{%- endmacro %}
