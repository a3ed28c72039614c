-- Every calendar date with its neighbouring trading days: the clock of all point-in-time rules.
with

    calendar as (select * from {{ ref('stg_jquants__trading_calendar') }}),

    trading_days as (
        select calendar_date as trading_date, row_number() over (order by calendar_date) as trading_day_number
        from calendar
        where is_trading_day
    ),

    located as (
        select
            c.calendar_date,
            c.holiday_division,
            c.is_trading_day,
            c.is_half_day,
            -- the first trading day strictly after this date
            (select min(t.trading_date) from trading_days t where t.trading_date > c.calendar_date) as next_trading_day,
            -- this date if it trades, else the next one that does
            (
                select min(t.trading_date) from trading_days t where t.trading_date >= c.calendar_date
            ) as trading_day_on_or_after,
            (
                select max(t.trading_date) from trading_days t where t.trading_date < c.calendar_date
            ) as previous_trading_day
        from calendar c
    )

select located.*, trading_days.trading_day_number
from located
left join trading_days on trading_days.trading_date = located.calendar_date
