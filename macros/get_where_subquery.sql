{#- dbt's hook for the relation every generic data test reads (its `where` config), overridden so that
    a daily build's tests read the rows it wrote (build_scoped; macros/incremental/build_scope.sql).
    A uniqueness test whose key holds the model's date column reads the scope's rows: a duplicate
    pair shares its date, so a pair involving a written row lies within the scope. One whose key
    has no date (code, row_idx) could pair a written row with an older one, so it reads every row
    whose key a scoped row has (a semi-join, far cheaper than the whole table). -#}
{% macro get_where_subquery(relation) -%}
    {%- set rows = relation %}
    {%- set declared = build_scope_declared(relation) if execute else none %}
    {%- if declared is not none %}
        {%- set test = model.get('test_metadata') or {} %}
        {%- set kwargs = test.get('kwargs') or {} %}
        {%- set key = kwargs.get('combination_of_columns') or ([kwargs.get('column_name')] if test.get('name') == 'unique' else none) %}
        {%- set scoped = build_scoped(relation) %}
        {%- if key is none or declared.get('date', 'date') in key or scoped == relation %} {%- set rows = scoped %}
        {%- else %}
            {%- set rows = '(select * from ' ~ relation ~ ' where (' ~ key | join(', ') ~ ') in (select '
                           ~ key | join(', ') ~ ' from ' ~ scoped ~ '))' %}
        {%- endif %}
    {%- endif %}
    {%- set where = config.get('where', '') %}
    {%- if where %} {%- do return('(select * from ' ~ rows ~ ' where ' ~ where ~ ') dbt_subquery') %} {%- endif %}
    {%- do return(rows) %}
{%- endmacro %}
