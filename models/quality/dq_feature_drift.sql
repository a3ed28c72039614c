-- Monthly drift of each monitored feature: the PSI of the month's values against the trailing 12
-- months, in 10 quantile bins of that reference. Values are first put in 1,000 fine buckets by
-- their global permille (one window, partitioned by feature), so every month's reference deciles
-- come from summed bucket counts instead of re-reading twelve months of rows; a decile edge is
-- therefore placed to within 0.1 % of the feature's mass, and both fractions of each bin are
-- exact counts.
{%- set features = var('dq_drift_features') %}
with

monitored as (
    -- every monitored value, its feature as a small integer: one window below partitions by it (a
    -- text key made that window 6× slower), and its partitions sort in parallel
    {%- for feature in features %}
    select {{ loop.index0 }}::utinyint as feature_number, date_trunc('month', date) as month, cast({{ feature }} as double) as x
    from {{ ref('ml_dataset') }}
    where isfinite({{ feature }})
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

bucketed as (
    -- bucket = the value's global permille within its feature (ties share one: rank() gives them
    -- the same rank)
    select
        feature_number,
        month,
        floor(1000 * (rank() over by_feature - 1) / count(*) over (partition by feature_number)) as bucket
    from monitored
    window by_feature as (partition by feature_number order by x)
),

histogram as (
    select {{ features | tojson | replace('"', "'") }}[feature_number + 1] as feature, month, bucket, count(*) as n
    from bucketed
    group by all
),

months as (
    select distinct month from histogram
),

dense as (  -- every (feature, bucket) in every month, 0 where it has no values, so that a month-range
            -- window sums the trailing 12 months (joining each month to its 12 predecessors made 5.7M
            -- rows on the full market)
    select fb.feature, m.month, fb.bucket, coalesce(h.n, 0) as n
    from (select distinct feature, bucket from histogram) as fb
    cross join months as m
    left join histogram as h using (feature, month, bucket)
),

trailing_sums as (
    select
        feature,
        month,
        bucket,
        sum(n) over last_12_months as n,
        count(case when n > 0 then 1 end) over last_12_months as reference_months
    from dense
    window last_12_months as (
        partition by feature, bucket order by month
        range between interval 12 month preceding and interval 1 month preceding
    )
),

reference as (  -- the buckets the month's trailing 12 months hold
    select * from trailing_sums where n > 0
),

reference_months as (
    select feature, month, max(reference_months) as reference_months, sum(n) as reference_rows
    from reference
    group by all
),

current_month as (
    select feature, month, bucket, n from histogram
),

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
        least(9, floor(10 * coalesce(sum(reference_n) over (
            partition by feature, month order by bucket rows between unbounded preceding and 1 preceding
        ), 0) / sum(reference_n) over (partition by feature, month))) as bin
    from aligned
),

bin_shares as (
    select
        feature,
        month,
        bin,
        greatest(sum(reference_n) / sum(sum(reference_n)) over (partition by feature, month), 1e-4) as expected_share,
        greatest(sum(month_n) / sum(sum(month_n)) over (partition by feature, month), 1e-4) as actual_share
    from binned
    group by feature, month, bin
),

psi as (
    select feature, month, sum((actual_share - expected_share) * ln(actual_share / expected_share)) as psi
    from bin_shares
    group by all
),

month_totals as (
    select feature, month, sum(n) as month_rows from histogram group by all
)

select
    psi.feature,
    cast(psi.month as date) as month,
    reference_months.reference_months,
    reference_months.reference_rows,
    month_totals.month_rows,
    psi.psi,
    psi.psi > {{ var('dq_psi_threshold') }} as is_drifted
from psi
join reference_months using (feature, month)
join month_totals using (feature, month)
where reference_months.reference_months >= {{ var('dq_drift_min_reference_months') }}
