{{ config(materialized='view') }}
-- The listing master as a point-in-time dimension: one row per (code, validity interval) taken
-- from monthly snapshots. A snapshot's attributes hold from its date until the day before the
-- master's next snapshot; those of the latest snapshot hold until further notice (valid_to NULL).
-- A code missing from the next snapshot was delisted (or suspended) in between: its interval ends
-- there, not open-ended, and a code that comes back starts a new one.
-- A view: deriving the intervals where they are joined is cheap, while rebuilding a table would cost
-- every daily run time ahead of the feature models.
with

    snapshots as (select * from {{ ref('stg_jquants__listed_issues') }}),

    snapshot_dates as (  -- the master's snapshots, each with the next one
        select snapshot_date, lead(snapshot_date) over (order by snapshot_date) as next_snapshot_date
        from (select distinct snapshot_date from snapshots)
    ),

    intervals as (
        select
            snapshots.code,
            snapshots.snapshot_date as valid_from,
            snapshot_dates.next_snapshot_date - interval 1 day as valid_to,
            company_name,
            company_name_en,
            market_code,
            market_name,
            sector17_code,
            sector17_name,
            sector33_code,
            sector33_name,
            scale_category,
            margin_code,
            product_category
        from snapshots
        inner join snapshot_dates using (snapshot_date)
    )

select
    intervals.* replace (cast(valid_from as date) as valid_from, cast(valid_to as date) as valid_to),
    -- the investor-type Section this market's stocks trade in (spec: Flow, step 4)
    case
        market_code
        when '0111'
        then 'TSEPrime'
        when '0112'
        then 'TSEStandard'
        when '0113'
        then 'TSEGrowth'
        when '0101'
        then 'TSE1st'
        when '0102'
        then 'TSE2nd'
        when '0104'
        then 'TSEMothers'
        when '0106'
        then 'TSEJASDAQ'
        when '0107'
        then 'TSEJASDAQ'
    end as investor_section
from intervals
