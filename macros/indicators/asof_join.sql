{#-
  An as-of join clause: each left row takes the right row of the same key with the latest
  `right_time` <= `left_time` (DuckDB ASOF LEFT JOIN). Used for point-in-time lookups.
-#}
{% macro asof_join(right, alias, keys, left_time, right_time, left_alias='l') -%}
    asof left join {{ right }} as {{ alias }}
        on {% for k in keys %}{{ left_alias }}.{{ k }} = {{ alias }}.{{ k }} and {% endfor %}{{ left_alias }}.{{ left_time }} >= {{ alias }}.{{ right_time }}
{%- endmacro %}

{#- A listing attribute as of an as-of-joined row: NULL when the date is past the interval's end
    (the code left the master), so a gap is never filled with stale attributes. -#}
{% macro listing_in_force(attribute, listing_alias, date_expr) -%}
    case when {{ listing_alias }}.valid_to is null or {{ date_expr }} <= {{ listing_alias }}.valid_to
         then {{ listing_alias }}.{{ attribute }} end
{%- endmacro %}
