-- Listed codes missing from a trading day: the code is in the listing snapshot governing that
-- day and the bar feed has no row for it (not even a no-trade row), either inside the span of
-- its bars or on the latest loaded day after a bar the day before. A code that leaves the feed
-- for good before the latest day is delisted, not missing.
with

bars as (
    select code, date from {{ ref('int_bar_presence') }}
),

loaded_days as (
    select calendar_date as date, previous_trading_day
    from {{ ref('int_trading_calendar') }}
    where is_trading_day
      and calendar_date between (select min(date) from bars) and (select max(date) from bars)
),

snapshots as (
    select distinct snapshot_date from {{ ref('stg_jquants__listed_issues') }}
),

governing_snapshot as (
    select
        loaded_days.date,
        loaded_days.previous_trading_day,
        (select max(s.snapshot_date) from snapshots s where s.snapshot_date <= loaded_days.date) as snapshot_date
    from loaded_days
),

bar_spans as (
    select code, min(date) as first_bar, max(date) as last_bar
    from bars
    group by code
),

expected as (
    select g.date, l.code
    from governing_snapshot g
    join {{ ref('stg_jquants__listed_issues') }} l on l.snapshot_date = g.snapshot_date
    join bar_spans s on s.code = l.code
    where g.date between s.first_bar and s.last_bar
       or (g.date = (select max(date) from loaded_days) and s.last_bar = g.previous_trading_day)
)

select
    expected.code,
    expected.date,
    'missing_bar' as check_name,
    cast(null as double) as value,
    'listed in the master, no bar in the feed' as detail
from expected
anti join bars on bars.code = expected.code and bars.date = expected.date
