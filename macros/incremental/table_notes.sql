{#- Small facts an incremental model keeps about itself between runs, as `key=value` parts of its
    table comment (`; `-separated): int_price_observations' bars watermark and test scope
    (macros/staging/past_bars_check.sql, build_scope.sql), dq_bar_checks' last checked day, the
    drift models' last counted day. -#}
{#- A table's comment as a dict of its `key=value` parts (`; `-separated); empty without one. -#}
{% macro stored_table_notes(relation) %}
    {%- set comment = run_query(
        "select comment from duckdb_tables() where database_name = '" ~ relation.database ~ "'
           and schema_name = '" ~ relation.schema ~ "' and table_name = '" ~ relation.identifier ~ "'").columns[0].values() %}
    {%- set notes = {} %}
    {%- for part in ((comment[0] or '') if comment else '').split('; ') if '=' in part %}
        {%- do notes.update({part.split('=')[0]: part[part.index('=') + 1:]}) %}
    {%- endfor %}
    {{ return(notes) }}
{% endmacro %}

{#- A post-hook's statement: `comment on table` with `<key>=<day>`, the day `day_query` (one value)
    returns now — the day a model's next daily run continues after (read back with stored_table_notes). -#}
{% macro store_day_note(relation, key, day_query) %}
    {%- set day = run_query(day_query).columns[0].values()[0] if execute else none %}
    comment on table {{ relation }} is '{{ key ~ "=" ~ day if day is not none else "" }}'
{%- endmacro %}

{#- dq_bar_checks' post-hook: the last day of the bar feed it has checked, `checked_through=<day>`. -#}
{% macro store_checked_through(relation) %}
    {{- store_day_note(relation, 'checked_through', 'select max("Date") from ' ~ source('jquants', 'equities_bars_daily')) }}
{%- endmacro %}
