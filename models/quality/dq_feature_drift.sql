{{ recounted_by_month() }}
-- Monthly drift of each monitored feature: the PSI of the month's values against the trailing 12
-- months, in 10 quantile bins of that reference. Values are counted per month in fine buckets of a
-- fixed logarithmic grid (dq_feature_histogram: each 1 % of the value wide, linear within 1e-9 of
-- zero), so every month's reference deciles come from summed bucket counts instead of re-reading
-- twelve months of rows; a decile edge is therefore placed to within 1 % of its value, and both
-- fractions of each bin are exact counts. The grid is fixed, so a month's PSI depends on that month
-- and its 12 predecessors only: later days never change it (point in time), and no window ranks the
-- whole history (global permille buckets did, moved every month with each new day, and cost more).
--
-- Daily run (incremental, recounted_by_month): the months dq_feature_histogram recounts, by the same
-- rule and its own `counted_through` note, with the 12 months before them as reference; the
-- earlier months' PSI stays rather than being recomputed for every month.
-- depends_on: {{ ref('ml_dataset') }}
-- depends_on: {{ source('jquants', 'equities_bars_daily') }}
{%- set recount_from = recount_from_month(this) %}
with

    histogram as (
        select *
        from {{ ref('dq_feature_histogram') }}
        {%- if recount_from is not none %} where month >= {{ recount_from }} - interval 12 month {%- endif %}
    ),

    months as (select distinct month from histogram),

    dense as (  -- every (feature, bucket) in every month, 0 where it has no values, so that a month-range
        -- window sums the trailing 12 months (joining each month to its 12 predecessors made 5.7M
        -- rows on the full market)
        select fb.feature, m.month, fb.bucket, coalesce(h.n, 0) as n
        from (select distinct feature, bucket from histogram) as fb
        cross join months as m
        left join histogram as h using (feature, month, bucket)
    ),

    trailing_sums as (
        select feature, month, bucket, sum(n) over last_12_months as n
        from dense
        window
            last_12_months as (
                partition by feature, bucket
                order by month range between interval 12 month preceding and interval 1 month preceding
            )
    ),

    reference as (  -- the buckets the month's trailing 12 months hold
        select * from trailing_sums where n > 0
    ),

    current_month as (select feature, month, bucket, n from histogram),

    aligned as (
        select
            coalesce(r.feature, c.feature) as feature,
            coalesce(r.month, c.month) as month,
            coalesce(r.bucket, c.bucket) as bucket,
            coalesce(r.n, 0) as reference_n,
            coalesce(c.n, 0) as month_n
        from reference r
        full join current_month c on r.feature = c.feature and r.month = c.month and r.bucket = c.bucket
    ),

    binned as (
        select
            *,
            -- decile of the reference this bucket starts in
            least(
                9,
                floor(
                    10 * coalesce(
                        sum(reference_n) over (
                            partition by feature, month order by bucket rows between unbounded preceding and 1 preceding
                        ),
                        0
                    )
                    / sum(reference_n) over (partition by feature, month)
                )
            ) as bin
        from aligned
    ),

    bin_shares as (
        select
            feature,
            month,
            bin,
            greatest(
                sum(reference_n) / sum(sum(reference_n)) over (partition by feature, month), 1e-4
            ) as expected_share,
            greatest(sum(month_n) / sum(sum(month_n)) over (partition by feature, month), 1e-4) as actual_share
        from binned
        group by feature, month, bin
    ),

    psi as (  -- summed in bin order: a parallel sum adds in any order, and a rebuild must give the same bits
        select
            feature, month, sum((actual_share - expected_share) * ln(actual_share / expected_share) order by bin) as psi
        from bin_shares
        group by all
    ),

    month_totals as (select feature, month, sum(n) as month_rows from histogram group by all),

    reference_months as (  -- the feature's months with values among the 12 before each month (counted per
        -- feature: a weekly series' few values occupy any one bucket in ≤ 2 months)
        select
            feature,
            month,
            count(*) over last_12_months as reference_months,
            sum(month_rows) over last_12_months as reference_rows
        from month_totals
        window
            last_12_months as (
                partition by feature
                order by month range between interval 12 month preceding and interval 1 month preceding
            )
    )

select
    psi.feature,
    psi.month,
    reference_months.reference_months,
    reference_months.reference_rows,
    month_totals.month_rows,
    psi.psi,
    psi.psi > {{ var('dq_psi_threshold') }} as is_drifted
from psi
join reference_months using (feature, month)
join month_totals using (feature, month)
where
    reference_months.reference_months >= {{ var('dq_drift_min_reference_months') }}
    {%- if recount_from is not none %} and psi.month >= {{ recount_from }} {%- endif %}
