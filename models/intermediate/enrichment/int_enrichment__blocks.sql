{{ config(
    materialized='incremental',
    unique_key=['code', 'date'],
    incremental_strategy='delete+insert',
    on_schema_change='fail'
) }}
-- depends_on: {{ ref('int_daily_scope') }}  (a daily run's scope)
-- The enrichment blocks of ml_dataset_enriched side by side, one row per ml_dataset row: the only
-- enrichment table written besides the statements block (a table for its tests' sake) and the
-- market's (one row per date). The other blocks are views computed here in one query, and the mart
-- is a view joining this narrow table and the market's to ml_dataset, so the 90 columns of
-- ml_dataset are stored once. The market's columns are not copied onto each stock's row: joined
-- here, they made the full refresh slower for no gain (the mart joins them per date).
--
-- Daily run (incremental): the rows of the days after the last stored one. Every block looks only
-- backwards (releases usable by that day, the market's and the sector's series up to it, 60-row
-- betas, same-day cross-sections), so a new day changes no stored row. The day is a literal, so
-- DuckDB pushes it into the block views' scans and per-date work; the sector series still read
-- the history they look back on, and the betas run the beta view's macro on the rows their 60-row
-- windows reach. Same SQL as a full refresh, so the new rows are the ones a full refresh computes.
-- depends_on: {{ ref('int_enrichment__market') }}  (a daily run's betas read it; a full refresh's read the beta view)
{%- set last_day = last_stored_day() %}
select
    base.code,
    base.date,
    -- each block's columns, in the order ml_dataset_enriched shows them (the mart lists them by name)
    stmt.* exclude (code, date, stmt_available_date, stmt_disclosure_number),
    beta.* exclude (code, date),
    sec.* exclude (code, date, sector33_code),
    cs.* exclude (code, date)
from {{ ref('ml_dataset') }} as base
left join {{ ref('int_enrichment__statements') }} as stmt using (code, date)
{%- if last_day is none %} left join {{ ref('int_enrichment__beta') }} as beta using (code, date)
{%- else %}
        {%- set beta_history %}(  -- the run's codes (int_daily_scope): a continued code's new rows and the rows its window reaches
        select * exclude (kept_rows) from (
            with scope as ({{ daily_scope("date '" ~ last_day ~ "'") }})
            {{ scoped_rows(ref('ml_dataset'), 'scope', beta_rows() - 1) | indent(12) }}
        )
    ){% endset %}
    left join
        (  -- the beta view's SQL over the history it reads, not every code's whole history
            {{ beta_block(beta_history, ref('int_enrichment__market')) | indent(4) }}
        ) as beta using (code, date)
{%- endif %}
left join {{ ref('int_enrichment__sector') }} as sec using (code, date)
left join {{ ref('int_enrichment__cross_section') }} as cs using (code, date)
{%- if last_day is not none %} where base.date > date '{{ last_day }}' {%- endif %}
