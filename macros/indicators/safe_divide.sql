{#- a / b, NULL when b is 0 (the spec: no epsilon fudge). -#}
{% macro safe_divide(a, b) -%} ({{ a }}) / nullif({{ b }}, 0) {%- endmacro %}
