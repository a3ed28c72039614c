{#- Targets (7): forward returns over the next h observations of the code and their signs.
    The only columns that look forward; every feature looks at rows <= t. -#}
{% macro target_features(relation) -%}
    with

        forward as (
            select
                * exclude (close_1_ahead, close_5_ahead, close_10_ahead, close_20_ahead),
                {%- for h in [1, 5, 10, 20] %}
                    {{ relative_change('close_' ~ h ~ '_ahead', 'close') }} as target_{{ h }}d{{ ',' if not loop.last }}
                {%- endfor %}
            from {{ relation }}
        )

    select
        *,
        case when target_1d is null then null when target_1d > 0 then 1 else 0 end as target_1d_binary,
        case when target_5d is null then null when target_5d > 0 then 1 else 0 end as target_5d_binary,
        case when target_10d is null then null when target_10d > 0 then 1 else 0 end as target_10d_binary
    from forward
{%- endmacro %}
