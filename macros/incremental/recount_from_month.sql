{#- The first month such a daily run recounts, as a SQL date — the month of the model's last
    counted day (`counted_through` in its table comment), or date '0001-01-01' (every month) when a
    split among the bars after that day restates a code's adjusted history (ml_dataset then
    rewrites the code's past rows) or the note is missing; none on a full refresh or at parse time. -#}
{% macro recount_from_month(relation) %}
    {%- if not (execute and is_incremental()) %} {{ return(none) }}{% endif %}
    {%- set counted_through = stored_table_notes(relation).get('counted_through') %}
    {%- if counted_through is none %} {{ return("date '0001-01-01'") }}{% endif %}
    {%- set last_day = "date '" ~ counted_through ~ "'" %}
    {%- set restated = run_query(
        "select count(*) from (" ~ restated_codes("(" ~ jquants_daily_bars(after=last_day) ~ ")") ~ ")"
    ).columns[0].values()[0] %}
    {{ return("date '0001-01-01'" if restated > 0 else "date_trunc('month', " ~ last_day ~ ")::date") }}
{% endmacro %}
