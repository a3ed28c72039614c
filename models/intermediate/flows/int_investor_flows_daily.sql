-- The weekly signal expanded to trading days per Section, point in time: a week's values hold
-- from its availability date until the day before the Section's next availability date.
with

    weekly as (select * from {{ ref('int_investor_flows_weekly') }} where available_from is not null),

    sections as (select distinct section from weekly),

    trading_days as (select calendar_date as date from {{ ref('int_trading_calendar') }} where is_trading_day),

    grid as (
        select sections.section, trading_days.date
        from sections
        cross join trading_days
        where trading_days.date >= (select min(available_from) from weekly)
    )

select
    g.section,
    g.date,
    w.week_start,
    w.week_end,
    w.published_date,
    w.available_from,
    w.foreigners_balance,
    w.individuals_balance,
    w.foreign_z,
    w.individual_z,
    w.smart_money_index,
    w.smart_money_change,
    w.flow_high_flag,
    w.flow_low_flag
from grid as g {{ asof_join('weekly', 'w', ['section'], 'date', 'available_from', left_alias='g') }}
