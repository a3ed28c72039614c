-- Weekly investor-type series per Section, as first published (later corrections stay in raw for
-- audit but never rewrite what was known), with the smart-money signal and its availability date.
with

    first_publication as (
        select *
        from {{ ref('stg_jquants__investor_types') }}
        where section <> 'TokyoNagoya'  -- a cross-market aggregate, not a segment
        qualify row_number() over (partition by section, week_start, week_end order by published_date) = 1
    ),

    scored as (
        select
            section,
            week_start,
            week_end,
            published_date,
            foreigners_balance,
            individuals_balance,
            case
                when count(foreigners_balance) over w52 = 52
                then
                    (foreigners_balance - avg(foreigners_balance) over w52)
                    / nullif(stddev_samp(foreigners_balance) over w52, 0)
            end as foreign_z,
            case
                when count(individuals_balance) over w52 = 52
                then
                    (individuals_balance - avg(individuals_balance) over w52)
                    / nullif(stddev_samp(individuals_balance) over w52, 0)
            end as individual_z
        from first_publication
        window w52 as (partition by section order by week_end rows between 51 preceding and current row)
    ),

    signal as (select *, foreign_z - individual_z as smart_money_index from scored),

    with_change as (
        select
            *,
            case
                when count(smart_money_index) over w4 = 4 then smart_money_index - avg(smart_money_index) over w4
            end as smart_money_change
        from signal
        window w4 as (partition by section order by week_end rows between 3 preceding and current row)
    )

select
    with_change.*,
    case when smart_money_index is null then null when smart_money_index >= 2 then 1 else 0 end as flow_high_flag,
    case when smart_money_index is null then null when smart_money_index <= -2 then 1 else 0 end as flow_low_flag,
    -- published ≈ 18:00 JST, after the close: usable from the next trading day
    calendar.next_trading_day as available_from
from with_change
left join {{ ref('int_trading_calendar') }} as calendar on calendar.calendar_date = with_change.published_date
