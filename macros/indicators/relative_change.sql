{#- x / base - 1, NULL for a zero or NULL base: the return from base to x. -#}
{% macro relative_change(x, base) -%} {{ x }} / nullif({{ base }}, 0) - 1 {%- endmacro %}
