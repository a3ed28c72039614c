{#- The rows a beta regresses over: the row and the code's 59 before it. -#}
{% macro beta_rows() -%} {{ return(60) }} {%- endmacro %}
