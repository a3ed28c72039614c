{#- The rows of `relation` unchanged, grouped into one list per `key` and unnested again, so that
    DuckDB estimates them at about one row per key. A window operator splits its input into 16 to
    1,024 hash partitions by that estimate, and behind a daily run's range joins a few thousand rows
    are estimated at millions to billions, and 1,024 partitions of a few rows each make every window
    pass slow. Pays on narrow rows: listing wide ones costs as much. -#}
{% macro regrouped(relation, key='code') %}
    select unnest(rows, max_depth := 2)  -- the list, then the row struct: the original columns
    from (select list(r) as rows from {{ relation }} as r group by r.{{ key }})
{% endmacro %}
