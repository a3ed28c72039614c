{#- on-run-start of `dbt build` / `dbt run`: the raw tables the marts read must have been loaded.
    No bars or no calendar: stop with the command that loads them. Another dataset empty: warn by name,
    saying which columns stay NULL and how to load it (Free plans lack TOPIX and investor types). -#}
{% macro check_raw_inputs() %}
    {%- if not execute or flags.WHICH not in ('build', 'run') %} {{ return('') }}{% endif %}
    {%- set needed = {
        'markets_calendar': ('calendar', none),
        'equities_bars_daily': ('bars', none),
        'equities_master': ('master', 'the sector features of ml_dataset_enriched and dim_listed_companies'),
        'equities_investor_types': ('investor_types', 'the flow features of ml_dataset (smart_money_index, …)'),
        'indices_topix': ('topix', 'the market features of ml_dataset_enriched and fct_topix_daily'),
        'fins_summary': ('fins', 'the statement features of ml_dataset_enriched'),
    } %}
    {%- set present = run_query(
        "select table_name from duckdb_tables() where database_name = current_database() and schema_name = 'raw'"
    ).columns[0].values() %}
    {%- if 'equities_bars_daily' not in present %}
        {{ exceptions.raise_compiler_error(
            "The warehouse " ~ target.path ~ " has no raw tables: load J-Quants data first with `gogooku3 ingest`"
            ~ " (or `gogooku3 demo` offline), then run dbt build again.") }}
    {%- endif %}
    {%- set checks = [] %}
    {%- for table in needed if table in present %}
        {%- do checks.append("select '" ~ table ~ "' as name, exists(from raw." ~ table ~ ") as loaded") %}
    {%- endfor %}
    {%- set loaded = {} %}
    {%- for row in run_query(checks | join(' union all ')).rows %}
        {%- do loaded.update({row[0]: row[1]}) %}
    {%- endfor %}
    {%- set first_bar = run_query("select min(Date) from raw.equities_bars_daily").columns[0].values()[0] %}
    {%- set since = " --from " ~ first_bar if first_bar is not none else "" %}
    {%- for table, (dataset, degrades) in needed.items() if not loaded.get(table, false) %}
        {%- set load = "`gogooku3 ingest --datasets " ~ dataset ~ since ~ "`" %}
        {%- if degrades is none %}
            {{ exceptions.raise_compiler_error(
                "raw." ~ table ~ " is empty: nothing can be built without it. Load it with " ~ load ~ ", then run dbt build again.") }}
        {%- else %}
            {{ exceptions.warn("raw." ~ table ~ " is empty: " ~ degrades ~ " will be NULL on every row. Load it with "
                               ~ load ~ " (your plan must include it), then rebuild.") }}
        {%- endif %}
    {%- endfor %}
{% endmacro %}
