{#-
  Per-cross-section bounds for winsorizing: one row per `partition_by` value with the lower and
  upper continuous quantiles of each column (<col>_lo, <col>_hi). Join it back on the partition
  key and clip with `clip_to_bounds`. One hash aggregate, instead of a sort per column, and one
  quantile per column for both bounds: two separate quantile_cont would hold every value twice.
  `chunks`: conditions that split the partitions into groups aggregated one after another (e.g. one
  per year; each partition in exactly one): a quantile aggregate keeps every value of its groups in
  memory and cannot spill, so a long history is aggregated a chunk at a time.
-#}
{% macro cross_sectional_bounds(relation, columns, partition_by='date', lower=0.01, upper=0.99, chunks=none) -%}
    select
        {{ partition_by }},
        {%- for c in columns %}
            {{ c }}_bounds[1] as {{ c }}_lo, {{ c }}_bounds[2] as {{ c }}_hi{{ ',' if not loop.last }}
        {%- endfor %}
    from
        (
            {%- for chunk in (chunks or ['true']) %}
                select
                    {{ partition_by }},
                    {%- for c in columns %}
                        quantile_cont({{ c }}, [{{ lower }}, {{ upper }}]) as {{ c }}_bounds{{ ',' if not loop.last }}
                    {%- endfor %}
                from (select * from {{ relation }})
                where {{ chunk }}
                group by {{ partition_by }} {{ 'union all' if not loop.last }}
            {%- endfor %}
        )
{%- endmacro %}
