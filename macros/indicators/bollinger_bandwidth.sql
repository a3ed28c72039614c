{#- Bollinger bandwidth from the band's moments: (upper - lower) / middle. -#}
{% macro bollinger_bandwidth(mean, std, k=2) -%} 2 * {{ k }} * ({{ std }}) / nullif({{ mean }}, 0) {%- endmacro %}
