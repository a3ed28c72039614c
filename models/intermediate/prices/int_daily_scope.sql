{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail'
) }}
-- The daily run's scope, decided once for every incremental feature model: per build of the
-- observations, one row per code that the build wrote rows for, with `kept_rows`, the code's rows
-- that stayed as they were — the stored row a daily run continues from; 0 when the code is
-- numbered from its first bar again (new, or restated by a split: see int_price_observations),
-- so its features are recomputed whole. `built_through` is the observations' last day after that
-- build. A model joins the builds after its own last stored day (daily_scope), so a model that
-- missed a build (it failed, or was not selected) catches up on every code since.
-- A full refresh records one build: every code, recomputed whole.
-- depends_on: {{ source('jquants', 'equities_bars_daily') }}
{%- set last_day = last_stored_day('built_through') %}
with

    built as (select max(date) as built_through from {{ ref('int_price_observations') }}),

    written as (
        {%- if last_day is none %}select distinct code from {{ ref('int_price_observations') }}
        {%- else %}
            select code, min(row_idx) as first_row
            from {{ ref('int_price_observations') }}
            where date > date '{{ last_day }}'  -- the observations are in date order: older row groups are skipped
            group by code
        {%- endif %}
    )

select
    written.code,
    {%- if last_day is none %} 0 as kept_rows,
    {%- else %}
        cast(
            case  -- the decision int_price_observations took on the same new bars
                when
                    written.code
                    in ({{ restated_codes('(' ~ jquants_daily_bars(after="date '" ~ last_day ~ "'") ~ ')') }})
                then 0
                else written.first_row - 1
            end as integer
        ) as kept_rows,
    {%- endif %}
    built.built_through
from written
cross join built
order by written.code
