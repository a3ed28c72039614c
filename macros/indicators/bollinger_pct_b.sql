{#- Bollinger %b from the band's moments: (x - lower) / (upper - lower), bands mean ± k·std (the
    population std of the same n rows); not clipped; NULL if the bands collapse or are undefined. -#}
{% macro bollinger_pct_b(x, mean, std, k=2) -%}
    ({{ x }} - (({{ mean }}) - {{ k }} * ({{ std }}))) / nullif(2 * {{ k }} * ({{ std }}), 0)
{%- endmacro %}
