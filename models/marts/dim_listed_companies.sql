{{ config(materialized='table') }}
-- One row per code ever listed: its latest attributes, the span of snapshots it appears in and
-- whether the latest snapshot still lists it.
with

    intervals as (select * from {{ ref('int_listed_issues_pit') }}),

    span as (
        select
            code,
            min(valid_from) as first_seen,
            max(valid_from) as last_seen,
            count(distinct market_code) as markets_seen
        from intervals
        group by code
    )

select
    intervals.code,
    intervals.company_name,
    intervals.company_name_en,
    intervals.market_code,
    intervals.market_name,
    intervals.sector17_code,
    intervals.sector17_name,
    intervals.sector33_code,
    intervals.sector33_name,
    intervals.scale_category,
    intervals.margin_code,
    intervals.product_category,
    span.first_seen,
    span.last_seen,
    cast(span.markets_seen as integer) as markets_seen,
    span.last_seen = (select max(valid_from) from intervals) as is_listed
from intervals
join span using (code)
where intervals.valid_from = span.last_seen
