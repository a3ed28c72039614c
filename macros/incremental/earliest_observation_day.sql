{#- The earliest day among the observations at row `first_row` of each code in `codes` (a row before
    1 reads row 1): one row, `date`. A daily run bounds its scans of the date-ordered observations
    with it, so they skip the row groups of older days. `first_row` is an expression over `c`, the
    alias of `codes` (e.g. 'c.row_idx - 251'). -#}
{% macro earliest_observation_day(codes, first_row) %}
    select min(o.date) as date
    from {{ ref('int_price_observations') }} as o
    inner join {{ codes }} as c on o.code = c.code and o.row_idx = greatest({{ first_row }}, 1)
{% endmacro %}
