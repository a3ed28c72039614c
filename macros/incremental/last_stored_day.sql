{#- An incremental model's last stored day, for a daily run that computes only the days after it:
    the date (read before the query is compiled, so it goes in as a literal DuckDB can push into
    views, which a scalar subquery is not), or none on a full refresh, at parse time or while the
    table is empty. -#}
{% macro last_stored_day(date_column='date') %}
    {%- if not (execute and is_incremental()) %} {{ return(none) }}{% endif %}
    {{ return(run_query('select max(' ~ date_column ~ ') from ' ~ this).columns[0].values()[0]) }}
{% endmacro %}
