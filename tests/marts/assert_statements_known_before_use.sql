-- Leakage check, recomputed without the statement_available_date macro: the release a row uses must
-- have been disclosed on an earlier day, or on that same trading day strictly before its close
-- (11:30 on a half day; 15:00, or 15:30 from 2024-11-05), with a parsable time. A daily build checks
-- the rows of its scope (macros/incremental/build_scope.sql).
with

    used as (
        select s.code, s.date, s.stmt_disclosure_number, f.disclosed_date, f.disclosed_time
        from {{ build_scoped(ref('int_enrichment__statements')) }} as s
        join
            {{ ref('stg_jquants__fins_summary') }} as f
            on f.code = s.code
            and f.disclosure_number = s.stmt_disclosure_number
        where s.stmt_disclosure_number is not null
    ),

    checked as (
        select
            used.*,
            cal.holiday_division,
            case
                when used.disclosed_date < used.date
                then true
                when used.disclosed_date > used.date
                then false
                when used.disclosed_time is null or not regexp_matches(used.disclosed_time, '^\d{2}:\d{2}(:\d{2})?$')
                then false
                when cal.holiday_division = '2'
                then used.disclosed_time < '11:30'
                when used.date >= '2024-11-05'
                then used.disclosed_time < '15:30'
                else used.disclosed_time < '15:00'
            end as usable_that_day
        from used
        left join {{ ref('stg_jquants__trading_calendar') }} as cal on cal.calendar_date = used.date
    )

select *
from checked
where not usable_that_day
