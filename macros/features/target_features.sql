{#- Targets (7): forward returns over the next h observations of the code and their signs.
    The only columns that look forward; every feature looks at rows <= t. -#}
{% macro target_features(relation) -%}
with

forward as (
    select
        *,
        {{ forward_return('close', 1) }}  as target_1d,
        {{ forward_return('close', 5) }}  as target_5d,
        {{ forward_return('close', 10) }} as target_10d,
        {{ forward_return('close', 20) }} as target_20d
    from {{ relation }}
)

select
    *,
    case when target_1d is null then null when target_1d > 0 then 1 else 0 end  as target_1d_binary,
    case when target_5d is null then null when target_5d > 0 then 1 else 0 end  as target_5d_binary,
    case when target_10d is null then null when target_10d > 0 then 1 else 0 end as target_10d_binary
from forward
{%- endmacro %}
