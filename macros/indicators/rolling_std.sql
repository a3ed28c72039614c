{#-
  Trailing n-row standard deviation of x (ddof 1, or 0 with ddof=0), NULL until the window holds n
  values. `offset` shifts the window back (offset=1: the n rows before this one).
  `non_null_from`: when x is NULL on no row from that one on (day returns: from row 2) and
  `order_by` numbers each partition's rows 1, 2, …, the window is full from row
  non_null_from + n - 1 + offset: that test replaces a count window (one window aggregate less).
-#}
{% macro rolling_std(x, n, ddof=1, order_by='row_idx', partition_by='code', offset=0, non_null_from=none) -%}
    {%- set frame = 'rows between ' ~ (n - 1 + offset) ~ ' preceding and ' ~ ('current row' if offset == 0 else offset ~ ' preceding') -%}
    {%- if non_null_from is none %}
        case when count({{ x }}) over (partition by {{ partition_by }} order by {{ order_by }} {{ frame }}) = {{ n }}
    {%- else %} case when {{ order_by }} >= {{ non_null_from + n - 1 + offset }}
    {%- endif %}
        then
            {{ 'stddev_samp' if ddof == 1 else 'stddev_pop' }} ({{ x }}) over (
                partition by {{ partition_by }} order by {{ order_by }} {{ frame }}
            )
    end
{%- endmacro %}
