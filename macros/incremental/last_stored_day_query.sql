{#- The same day as a scalar subquery in the model's SQL, 1900-01-01 while the table is empty (every
    day is then new): for filters evaluated inside the query, which need no literal. -#}
{% macro last_stored_day_query(date_column='date') -%}
    (select coalesce(max({{ date_column }}), date '1900-01-01') from {{ this }})
{%- endmacro %}
