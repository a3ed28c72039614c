{#-
  int_price_observations' daily run appends only the bars after its last stored day. Bars that the
  loader re-wrote for days at or before it (`gogooku3 ingest --from` an earlier day, a bulk month
  fetched again, a history the API corrected) would otherwise be ignored without a word, and every
  feature built on them would go stale.

  assert_past_bars_unchanged reads the load ledger (raw._loads) for bar units committed after the
  table was last built — the watermark its post-hook stores (bars_loaded_through) — and, if any
  reach back into the stored days, recomputes those days' adjusted closes and stops the run before
  anything is written when a bar was added, removed or changed there. Identical re-fetches pass, as
  do codes a split among the new bars reloads whole anyway. The ledger's timestamps are compared
  only with each other (the loader's clock), never with dbt's.
-#}
{% macro assert_past_bars_unchanged(relation) %}
    {%- set ledger = load_ledger() %}
    {%- if ledger is none %} {{ return(none) }}{% endif %}

    {%- set reloaded_from, last_built_day = run_query(
        "select min(unit_from), any_value(last_built_day)
         from " ~ ledger ~ ", (select max(date) as last_built_day from " ~ relation ~ ")
         where dataset = 'bars' and status = 'ok'
           and unit_from <= last_built_day
           and finished_at > coalesce(" ~ stored_bars_watermark(relation) ~ ", timestamp '-infinity')"
    ).rows[0] %}
    {%- if reloaded_from is none %} {{ return(none) }}{% endif %}

    {%- set last_day = "date '" ~ last_built_day ~ "'" %}
    {%- set changed = run_query(
        "with recomputed as (
             select code, date, adj_close
             from (" ~ jquants_daily_bars(after="date '" ~ reloaded_from ~ "' - interval 1 day") ~ ")
             where adj_close > 0 and date <= " ~ last_day ~ "
         ),
         reloaded_whole as (  -- a split among the new bars restates the code: it is reloaded whole anyway
             " ~ restated_codes("(" ~ jquants_daily_bars(after=last_day) ~ ")") ~ "
         ),
         stored as (
             select code, date, close from " ~ relation ~ " where date >= date '" ~ reloaded_from ~ "'
         ),
         differing as materialized (
             select code, date
             from recomputed
             full join stored using (code, date)
             where code not in (select code from reloaded_whole)
               and (recomputed.adj_close is null or stored.close is null
                    or abs(recomputed.adj_close - stored.close) > 1e-9 * abs(stored.close))
         )
         select
             (select count(*) from differing),
             (select count(distinct code) from differing),
             (select min(date) from differing),
             (select max(date) from differing),
             (select string_agg(code, ', ' order by code) from (select distinct code from differing order by code limit 5))"
    ).rows[0] %}
    {%- set bars, codes, first_day, last_changed_day, sample = changed %}
    {%- if bars > 0 %}
        {{ exceptions.raise_compiler_error(
            relation.identifier ~ ": " ~ bars ~ " bar(s) of " ~ codes ~ " code(s) (" ~ sample ~ (", …" if codes > 5 else "")
            ~ ") on days " ~ first_day ~ " to " ~ last_changed_day ~ " were added, removed or changed after they were built"
            ~ " (the load ledger shows bars re-loaded from " ~ reloaded_from ~ "). A daily run only appends the days after"
            ~ " the last built one, so nothing was written; rebuild the history with"
            ~ " `dbt build --full-refresh --profiles-dir .`.") }}
    {%- endif %}
{% endmacro %}

{#- The newest bar load the table was built from (SQL timestamp expression; NULL before the first build
    that stored one): `bars_loaded_through` of the table comment its post-hook writes (stored_table_notes). -#}
{% macro stored_bars_watermark(relation) -%}
    {%- set watermark = stored_table_notes(relation).get('bars_loaded_through') -%}
    {{ "try_cast('" ~ watermark ~ "' as timestamp)" if watermark else "cast(null as timestamp)" }}
{%- endmacro %}

{#- The post-hook's statement: store the newest bar load now in the ledger as the table's watermark. -#}
{% macro store_bars_watermark(relation) -%}
    {%- set ledger = load_ledger() %}
    {%- set newest = none %}
    {%- if ledger is not none %}
        {%- set newest = run_query("select max(finished_at) from " ~ ledger ~ " where dataset = 'bars' and status = 'ok'").columns[0].values()[0] %}
    {%- endif %}
    {#- with the build scope of the daily build's data tests (build_scope_note) -#}
    comment on table {{ relation }} is '{{ ["bars_loaded_through=" ~ newest if newest is not none else "", build_scope_note(relation)] | select | join("; ") }}'
{%- endmacro %}

{#- raw._loads when the warehouse has one (the loader creates it; raw tables loaded otherwise, or a
    unit test's fixture, have none): the relation, else none. -#}
{% macro load_ledger() %}
    {%- set ledger = source('jquants', '_loads') %}
    {%- if not execute or ledger is string or ledger.schema is none %} {{ return(none) }}{% endif %}
    {{ return(adapter.get_relation(ledger.database, ledger.schema, ledger.identifier)) }}
{% endmacro %}
