{#- The rows of `relation` (one row per code and row_idx, with a date, stored in date order) that a
    daily run reads for the codes in `scope` (a daily_scope CTE): a continued code's new rows and its
    last `reach` stored rows (row_idx > kept_rows − reach), a recomputed code's every row; with the
    scope's `kept_rows`. The continued codes' rows are bounded by the earliest day they reach, so the
    scan skips the row groups of older days, which a single filter reaching back to a recomputed
    code's first day would not. -#}
{% macro scoped_rows(relation, scope, reach) -%}
    select r.*, s.kept_rows
    from {{ relation }} as r
    inner join {{ scope }} as s using (code)
    where s.kept_rows > 0
      and r.row_idx > s.kept_rows - {{ reach }}
      and r.date >= (  -- the earliest day a continued code's first needed row lies on
          select min(first.date)
          from {{ relation }} as first
          inner join {{ scope }} as c
              on first.code = c.code and c.kept_rows > 0 and first.row_idx = greatest(c.kept_rows - {{ reach - 1 }}, 1)
      )
    union all
    select r.*, 0 as kept_rows
    from {{ relation }} as r
    where r.code in (select code from {{ scope }} where kept_rows = 0)
{%- endmacro %}
