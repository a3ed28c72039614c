{{ recounted_by_month() }}
-- The monthly histograms dq_feature_drift measures drift on: per monitored feature and month, the
-- count of finite values in each bucket of a fixed logarithmic grid (each 1 % of the value wide,
-- linear within 1e-9 of zero). The grid is fixed, so a month's counts depend on that month's rows
-- only.
--
-- Daily run (incremental, recounted_by_month): the month of the last counted day (`counted_through`,
-- the table comment its post-hook writes) and any later month are recounted, and earlier months
-- keep their counts, as ml_dataset appends rows and never changes a stored feature; except when a
-- split among the new bars restates a code's adjusted history (ml_dataset then redoes the code
-- whole, and its price-scaled features change): every month is recounted then, as on a first build.
-- depends_on: {{ source('jquants', 'equities_bars_daily') }}
{%- set features = var('dq_drift_features') %}
{%- set recount_from = recount_from_month(this) %}
with

    monitored as (
        -- every monitored value, its feature as a small integer (a cheaper grouping key than its name)
        {%- for feature in features %}
            select
                {{ loop.index0 }}::utinyint as feature_number,
                date_trunc('month', date) as month,
                cast({{ feature }} as double) as x
            from {{ ref('ml_dataset') }}
            where isfinite({{ feature }}){{ ' and date >= ' ~ recount_from if recount_from is not none }}
            {% if not loop.last %}
                union all
            {% endif %}
        {%- endfor %}
    ),

    bucketed as (
        -- bucket = 100·asinh(x·1e9), floored: steps of 1 % of |x| above ~1e-9, of 1e-11 below it;
        -- monotone in x, so buckets in key order are values in order (|x| capped at 1e290: finite when scaled)
        select feature_number, month, floor(100 * asinh(least(greatest(x, -1e290), 1e290) * 1e9))::integer as bucket
        from monitored
    )

select
    {{ features | tojson | replace('"', "'") }} [feature_number + 1] as feature,
    cast(month as date) as month,
    bucket,
    count(*) as n
from bucketed
group by all
order by month, feature, bucket
