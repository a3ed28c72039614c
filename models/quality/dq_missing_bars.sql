-- Listed codes missing from a trading day: the code is in the listing snapshot governing that
-- day and the bar feed has no row for it (not even a no-trade row), either inside the span of
-- its bars or on the latest loaded day after a bar the day before. A code that leaves the feed
-- for good before the latest day is delisted, not missing.
-- Inside a code's span, a missing day lies between two of its bars: the gaps are found where a
-- bar's previous one (int_bar_presence.previous_bar_date) is more than a trading day back, and
-- only their days are listed and matched to the snapshots — rather than every (listed code,
-- trading day) pair anti-joined to every bar, which read the whole feed on every daily build.
with

    bars as (select code, date, previous_bar_date from {{ ref('int_bar_presence') }}),

    loaded_days as (  -- the calendar's trading days from the first bar to the last
        select calendar_date as date, previous_trading_day
        from {{ ref('int_trading_calendar') }}
        where is_trading_day and calendar_date between (select min(date) from bars) and (select max(date) from bars)
    ),

    after_gap as (  -- bars whose previous bar of the code is more than a trading day back (a bar on a
        -- day the calendar does not trade or lacks counts too)
        select bars.code, bars.previous_bar_date, bars.date
        from bars
        left join {{ ref('int_trading_calendar') }} as c on c.calendar_date = bars.date
        where bars.previous_bar_date < coalesce(c.previous_trading_day, bars.date)
    ),

    inside_span as (  -- the trading days of each gap: no bar of the code lies between two consecutive ones
        select g.code, d.date
        from after_gap as g
        inner join loaded_days as d on d.date > g.previous_bar_date and d.date < g.date
    ),

    latest_day as (select * from loaded_days where date = (select max(date) from loaded_days)),

    left_on_latest_day as (  -- a bar on the day before the latest day and none on it
        select bars.code, latest_day.date
        from bars
        inner join latest_day on bars.date = latest_day.previous_trading_day
        anti join bars as today on today.code = bars.code and today.date = latest_day.date
    ),

    candidates as (
        select code, date
        from inside_span
        union all
        select code, date
        from left_on_latest_day
    ),

    snapshots as (select distinct snapshot_date from {{ ref('stg_jquants__listed_issues') }}),

    governed as (  -- each candidate day with the master snapshot that governs it
        select
            c.code,
            c.date,
            (select max(s.snapshot_date) from snapshots as s where s.snapshot_date <= c.date) as snapshot_date
        from candidates as c
    )

select
    governed.code,
    governed.date,
    'missing_bar' as check_name,
    cast(null as double) as value,
    'listed in the master, no bar in the feed' as detail
from governed
inner join
    {{ ref('stg_jquants__listed_issues') }} as listed
    on listed.snapshot_date = governed.snapshot_date
    and listed.code = governed.code
