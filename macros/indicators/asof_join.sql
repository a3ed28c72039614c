{#-
  An as-of join clause: each left row takes the right row of the same key with the latest
  `right_time` <= `left_time` (DuckDB ASOF LEFT JOIN). Used for point-in-time lookups.
-#}
{% macro asof_join(right, alias, keys, left_time, right_time, left_alias='l') -%}
    asof left join
        {{ right }} as {{ alias }}
        on {% for k in keys %}
            {{ left_alias }}.{{ k }} = {{ alias }}.{{ k }} and
        {% endfor %} {{ left_alias }}.{{ left_time }}
        >= {{ alias }}.{{ right_time }}
{%- endmacro %}
