{#- on-run-end: drop the `*__dbt_tmp*` tables dbt-duckdb leaves in the warehouse (an incremental Python
    model's staging table is never dropped; a killed build leaves its own), so the file analysts get holds
    only the project's relations. -#}
{% macro drop_leftover_temp_relations() %}
    {%- if not execute %} {{ return('') }}{% endif %}
    {%- set leftovers = run_query(
        "select schema_name, table_name from duckdb_tables()
         where database_name = current_database() and table_name like '%\\_\\_dbt\\_tmp%' escape '\\'"
    ) %}
    {%- for schema_name, table_name in leftovers.rows %}
        {%- do run_query('drop table if exists "' ~ schema_name ~ '"."' ~ table_name ~ '"') %}
    {%- endfor %}
{% endmacro %}
