{#- (rank − 1) / (N − 1) of x within its cross-section, ties sharing their average rank; 0.5 when the
    cross-section has one value; NULL for NULL x. N counts non-NULL values. -#}
{% macro cross_sectional_pct_rank(x, partition_by='date') -%}
    {#- a tie group spans ranks [rank(), count(*) through its last peer] of one ascending ordering,
        so both come from one sort (the default RANGE frame ends at the current row's last peer;
        NULLs sort last, so they never precede a value) -#}
    {%- set ordered = '(partition by ' ~ partition_by ~ ' order by ' ~ x ~ ' asc nulls last)' -%}
    {%- set n = 'count(' ~ x ~ ') over (partition by ' ~ partition_by ~ ')' -%}
    case
        when {{ x }} is null
        then null
        when {{ n }} = 1
        then 0.5
        else ((rank() over {{ ordered }} + count(*) over {{ ordered }}) / 2.0 - 1) / ({{ n }} - 1)
    end
{%- endmacro %}
