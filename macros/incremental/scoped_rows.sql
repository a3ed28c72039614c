{#- The rows of `relation` (one row per code and row_idx, with a date, stored in date order) that a
    daily run reads for the codes in `scope` (a daily_scope CTE): a continued code's new rows and its
    last `reach` stored rows (row_idx > kept_rows − reach), a recomputed code's every row; with the
    scope's `kept_rows`. The continued codes' rows are bounded by the earliest day they reach
    (`first_day`, by default scope_first_day of the relation itself), so the scan skips the row
    groups of older days, which a single filter reaching back to a recomputed code's first day
    would not. -#}
{% macro scoped_rows(relation, scope, reach, first_day=none) -%}
    select r.*, s.kept_rows
    from {{ relation }} as r
    inner join {{ scope }} as s using (code)
    where
        s.kept_rows > 0
        and r.row_idx > s.kept_rows - {{ reach }}
        and r.date >= {{ first_day if first_day is not none else scope_first_day(relation, scope, reach) }}
    union all
    select r.*, 0 as kept_rows
    from {{ relation }} as r
    where r.code in (select code from {{ scope }} where kept_rows = 0)
{%- endmacro %}
