{#- The earliest day a daily run's windows reach: the date of each continued code's first needed
    row in `relation` (row kept_rows − reach + 1; row 1 at the earliest) for the codes in `scope`
    (a daily_scope CTE), as a scalar subquery. Tables keyed on (code, row_idx) share their dates, so
    one lookup serves every table a model reads with the same reach. -#}
{% macro scope_first_day(relation, scope, reach) -%}
    (
        select min(first.date)
        from {{ relation }} as first
        inner join
            {{ scope }} as c
            on first.code = c.code
            and c.kept_rows > 0
            and first.row_idx = greatest(c.kept_rows - {{ reach - 1 }}, 1)
    )
{%- endmacro %}
