{#- A post-hook's statements: append (relation, invocation_id, built_at) to intermediate.dbt_build_log,
    the build state readers need (the export's manifest names the build of ml_dataset it exported),
    kept out of the relation's own comment, which holds its documentation. -#}
{% macro record_build(relation) %}
    {#- a Relation renders quoted: the database is named after the file, which may be a keyword (full.duckdb) -#}
    {%- set log = api.Relation.create(database=relation.database, schema='intermediate', identifier='dbt_build_log') %}
    create table if not exists {{ log }} (relation varchar, invocation_id varchar, built_at timestamp with time zone);
    insert into {{ log }}
    values ('{{ relation.schema }}.{{ relation.identifier }}', '{{ invocation_id }}', now())
{%- endmacro %}
