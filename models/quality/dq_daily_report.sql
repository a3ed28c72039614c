-- The data-quality report: one row per (trading day, check) with how many items it flagged out
-- of how many it looked at, a few examples, and the check's severity. Monthly drift is reported
-- on the last loaded day of its month. `gogooku3 quality` prints the latest day of this table.
with

    checks as (select * from {{ ref('dq_checks') }}),

    findings as (
        select code as item, date, check_name, detail
        from {{ ref('dq_bar_checks') }}
        union all
        select code, date, check_name, detail
        from {{ ref('dq_missing_bars') }}
    ),

    bars_per_day as (
        select date, count(*) filter (where has_trade) as traded, count(*) as rows
        from {{ ref('int_bar_presence') }}
        group by date
    ),

    bar_check_days as (
        -- every bar check runs every loaded day, so a quiet day reports 0 rather than nothing
        select b.date, c.check_name, case when c.check_name = 'missing_bar' then b.rows else b.traded end as n_checked
        from bars_per_day b
        cross join checks c
        where c.check_name <> 'feature_drift'
    ),

    bar_results as (
        select
            d.date,
            d.check_name,
            d.n_checked,
            count(f.item) as n_flagged,
            list(f.item order by f.item)[1:5] as examples,
            list(f.detail order by f.item)[1] as first_detail
        from bar_check_days d
        left join findings f on f.date = d.date and f.check_name = d.check_name
        group by all
    ),

    drift_results as (
        select
            (select max(date) from bars_per_day b where date_trunc('month', b.date) = drift.month) as date,
            'feature_drift' as check_name,
            count(*) as n_checked,
            count(*) filter (where is_drifted) as n_flagged,
            (list(feature order by psi desc) filter (where is_drifted))[1:5] as examples,
            printf(
                'max PSI %.3f (%s) for %s', max(psi), arg_max(feature, psi), strftime(drift.month, '%Y-%m')
            ) as first_detail
        from {{ ref('dq_feature_drift') }} drift
        group by drift.month
    )

select
    r.date,
    r.check_name,
    checks.severity,
    r.n_checked,
    r.n_flagged,
    case when r.n_flagged = 0 then 'pass' when checks.severity = 'error' then 'fail' else 'warn' end as status,
    coalesce(r.examples, []) as examples,
    case when r.n_flagged > 0 or r.check_name = 'feature_drift' then r.first_detail end as detail
from
    (
        select *
        from bar_results
        union all
        select *
        from drift_results
    ) r
join checks using (check_name)
