{#-
  Daily run of ml_dataset: fill in, in place, the targets of stored rows that the new rows complete.
  A target h rows ahead is NULL exactly while its row has not arrived, so the rows to update are
  those with a NULL target (a code's last 20 rows) whose horizon row now exists; a row's other
  columns never change once stored, hence an UPDATE of 7 columns instead of re-writing rows.
-#}
{% macro complete_targets(relation, observations) -%}
    {%- set open_rows -%}
    (
        select o.code, o.row_idx, o.close
        from {{ observations }} as o
        inner join (
            select code, min(row_idx) as first_open from {{ relation }} where target_20d is null group by code
        ) as open_targets using (code)
        where o.row_idx >= open_targets.first_open
    )
    {%- endset -%}
update {{ relation }} as stored
set
    {%- for h in [1, 5, 10, 20] %}
    target_{{ h }}d = coalesce(stored.target_{{ h }}d, completed.target_{{ h }}d),
    {%- endfor %}
    {%- for h in [1, 5, 10] %}
    target_{{ h }}d_binary = coalesce(stored.target_{{ h }}d_binary, completed.target_{{ h }}d_binary){{ ',' if not loop.last }}
    {%- endfor %}
from ({{ target_features('(select *, ' ~ target_windows() ~ ' from ' ~ open_rows ~ ')') }}) as completed
where stored.code = completed.code
  and stored.row_idx = completed.row_idx
  and stored.target_20d is null
  and (completed.target_1d is not null and stored.target_1d is null
       or completed.target_5d is not null and stored.target_5d is null
       or completed.target_10d is not null and stored.target_10d is null
       or completed.target_20d is not null)
{%- endmacro %}
