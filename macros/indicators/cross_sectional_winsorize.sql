{#- Clip x to the [lower, upper] continuous quantiles of the same cross-section (e.g. all codes on one date). -#}
{% macro cross_sectional_winsorize(x, partition_by='date', lower=0.01, upper=0.99) -%}
    least(greatest({{ x }}, quantile_cont({{ x }}, {{ lower }}) over (partition by {{ partition_by }})),
          quantile_cont({{ x }}, {{ upper }}) over (partition by {{ partition_by }}))
{%- endmacro %}
