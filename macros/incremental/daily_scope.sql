{#- The scope of a model's daily run: one row per code with observations built after `after_day` (a
    date expression: the model's last stored day), and `kept_rows`, that code's rows that stay — the
    fewest over the builds since (int_daily_scope); 0: recompute the code whole. -#}
{% macro daily_scope(after_day) -%}
    select code, min(kept_rows) as kept_rows
    from {{ ref('int_daily_scope') }}
    where built_through > {{ after_day }}
    group by code
{%- endmacro %}
