{#- Clip x into [lo, hi]; NULL stays NULL (DuckDB's greatest and least skip a NULL argument, so
    a bare least(greatest(x, lo), hi) would turn a missing x into lo). -#}
{% macro clip_to_bounds(x, lo, hi) -%}
    case when {{ x }} is not null then least(greatest({{ x }}, {{ lo }}), {{ hi }}) end
{%- endmacro %}
