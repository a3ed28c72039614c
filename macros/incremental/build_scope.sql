{#-
  A daily `dbt build` tests the rows it wrote, not five years of unchanged history.

  The scope of a build that appends days after `previous_day`, the observations' last built day:
  the days from `tests_from` on — the 20 observation days before the new ones included, because
  ml_dataset completes the 20-day targets of those rows — and `tests_codes`, whole: the codes a
  daily run may rewrite further back (a split restates a code's whole history; a young code, ≤ 252
  earlier rows, may be recomputed whole; a sparse one's 20 previous rows reach before tests_from).
  Every incremental model writes only rows in that scope.

  int_price_observations' post-hook stores the scope in its table comment with the invocation_id
  (build_scope_note); the staging views' tests run before the observations are built, so while
  they are selected but not yet built in this invocation the scope is computed from their last
  built day (the new bars are then the raw ones after it). Any other case — `dbt test`, a full
  refresh, the first build — and `--vars '{tests_scope: all}'` test the whole history.

  The data tests of a model that declares `meta: {build_scope: {date: …, code: …}}` read its rows
  through build_scoped (the generic ones via get_where_subquery, macros/get_where_subquery.sql).
-#}
{#- Codes with at most this many rows before their new ones are tested whole (a model may recompute
    a young code whole: Wilder state from row 16, ADX from row 28, the regime's 252-row window). -#}
{% macro build_scope_young_rows() %} {{ return(252) }}{% endmacro %}
{#- Rows back from a code's first new row that a daily run rewrites: ml_dataset's 20-day targets. -#}
{% macro build_scope_rewritten_rows() %} {{ return(20) }}{% endmacro %}
{#- More codes than this in the scope: test the whole history instead (the list is a literal). -#}
{% macro build_scope_max_codes() %} {{ return(500) }}{% endmacro %}

{#- The scope of a build appending after `previous_day` (a date literal) to `observations`, as
    {'from': 'YYYY-MM-DD', 'codes': [...]}, or none when it lists too many codes. -#}
{% macro build_scope_after(observations, previous_day) %}
    {%- set tests_from, n_codes, codes = run_query(
        "with recent_days as (
             select distinct date from " ~ observations ~ "
             where date <= " ~ previous_day ~ " and date > " ~ previous_day ~ " - interval 100 day
         ),
         tests_from as (  -- the " ~ build_scope_rewritten_rows() ~ "th observation day back (all days if fewer)
             select coalesce(min(date), date '1900-01-01') as date
             from (select date from recent_days order by date desc limit " ~ build_scope_rewritten_rows() ~ ")
         ),
         new_rows as (
             select code, min(row_idx) as first_new_row
             from " ~ observations ~ " where date > " ~ previous_day ~ " group by code
         ),
         rows_in_scope as (
             select code, count(*) as n
             from " ~ observations ~ "
             where date >= (select date from tests_from) and date <= " ~ previous_day ~ "
             group by code
         ),
         reaching_back as (
             select code from new_rows left join rows_in_scope using (code)
             where first_new_row <= " ~ build_scope_young_rows() ~ " + 1
                or coalesce(n, 0) < least(first_new_row - 1, " ~ build_scope_rewritten_rows() ~ ")
             union
             " ~ restated_codes('(' ~ jquants_daily_bars(after=previous_day) ~ ')') ~ "
         )
         select
             (select date from tests_from),
             (select count(*) from reaching_back),
             (select coalesce(string_agg(code, ',' order by code), '') from reaching_back)"
    ).rows[0] %}
    {%- if n_codes > build_scope_max_codes() %} {{ return(none) }}{% endif %}
    {{ return({'from': tests_from | string, 'codes': codes.split(',') if codes else []}) }}
{% endmacro %}

{#- The comment fragment int_price_observations' post-hook stores: `built_through=<last day>`, and
    after an incremental run of an invocation that runs data tests (`dbt build`, not `dbt run`)
    `tested_by=<invocation>; tests_from=<day>; tests_codes=<a,b,…>`. The previous run's
    built_through, read from the comment before the hook replaces it, is the day this run appended
    after (a full refresh's new table has no comment). -#}
{% macro build_scope_note(relation) %}
    {%- if not execute %} {{ return('') }}{% endif %}
    {%- set note = 'built_through=' ~ run_query("select max(date) from " ~ relation).columns[0].values()[0] %}
    {%- set previous = stored_table_notes(relation).get('built_through') %}
    {%- set data_tests = [] %}
    {%- for id in selected_resources if id.startswith('test.') %} {% do data_tests.append(id) %} {% endfor %}
    {%- if previous is none or should_full_refresh() or not data_tests %} {{ return(note) }}{% endif %}
    {%- set scope = build_scope_after(relation, "date '" ~ previous ~ "'") %}
    {%- if scope is none %} {{ return(note) }}{% endif %}
    {{ return(note ~ '; tested_by=' ~ invocation_id ~ '; tests_from=' ~ scope.from ~ '; tests_codes=' ~ scope.codes | join(',')) }}
{% endmacro %}

{#- This invocation's build scope ({'from', 'codes'}), or none: test everything. -#}
{% macro build_test_scope() %}
    {%- if not execute or var('tests_scope', 'build') == 'all' %} {{ return(none) }}{% endif %}
    {%- set node = graph.nodes.get('model.gogooku3.int_price_observations') %}
    {%- if node is none %} {{ return(none) }}{% endif %}
    {%- set observations = api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias) %}
    {%- set notes = stored_table_notes(observations) %}
    {%- if notes.get('tested_by') == invocation_id %}
        {{ return({'from': notes['tests_from'], 'codes': notes['tests_codes'].split(',') if notes.get('tests_codes') else []}) }}
    {%- elif node.unique_id in selected_resources and not flags.FULL_REFRESH and notes.get('built_through') %}
        {#- selected and not yet built here: a staging test, before the observations append their new days -#}
        {{ return(build_scope_after(observations, "date '" ~ notes['built_through'] ~ "'")) }}
    {%- endif %}
    {{ return(none) }}
{% endmacro %}

{#- The rows of `relation` (a model) that this invocation's build scope covers: the relation itself
    when there is no scope or the model declares none (meta build_scope), else a subquery: the rows
    from the scope's first day on, and the older rows of its codes (a model without a code column,
    such as the per-date bounds, by the day alone). Two scans rather than one `or`: the day bound
    then skips old row groups, which an `or` prevents. A model
    whose meta names a `body` macro (stg_jquants__daily_bars: jquants_daily_bars) is scoped by
    calling it with `after` and `codes`, which filter before its windows (a filter over the view is
    not pushed below them). -#}
{% macro build_scoped(relation) %}
    {%- set scope = build_test_scope() %}
    {%- if scope is none %} {{ return(relation) }}{% endif %}
    {%- set declared = build_scope_declared(relation) %}
    {%- if declared is none %} {{ return(relation) }}{% endif %}
    {%- set date_column, code_column = declared.get('date', 'date'), declared.get('code') %}
    {%- set first_day = "date '" ~ scope.from ~ "'" %}
    {%- set codes = "select unnest(string_split('" ~ scope.codes | join(',') ~ "', ','))" %}
    {%- set body = context[declared['body']] if declared.get('body') else none %}
    {%- set rows -%}
        (select * from {{ '(' ~ body(after='cast(' ~ first_day ~ ' - interval 1 day as date)') ~ ')' if body else relation }}
         {%- if not body %} where {{ date_column }} >= {{ first_day }}{% endif %}
        {%- if scope.codes and code_column %}
         union all by name
         select * from {{ '(' ~ body(codes=codes) ~ ')' if body else relation }}
         where {{ date_column }} < {{ first_day }}{% if not body %} and {{ code_column }} in ({{ codes }}){% endif %}
        {%- endif %})
    {%- endset %}
    {{ return(rows) }}
{% endmacro %}

{#- The meta build_scope ({date, code[, body]}) of the model stored as `relation`, or none. -#}
{% macro build_scope_declared(relation) %}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.alias == relation.identifier
                                            and node.schema == relation.schema %}
        {{ return(node.config.meta.get('build_scope')) }}
    {%- endfor %}
    {{ return(none) }}
{% endmacro %}
