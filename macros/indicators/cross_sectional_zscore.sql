{#- (x − mean) / sample std of x within its cross-section; NULL when the std is 0 or undefined. -#}
{% macro cross_sectional_zscore(x, partition_by='date') -%}
    ({{ x }} - avg({{ x }}) over (partition by {{ partition_by }}))
    / nullif(stddev_samp({{ x }}) over (partition by {{ partition_by }}), 0)
{%- endmacro %}
