{{ config(materialized='view') }}
-- Daily quotes per (code, date), adjusted and as traded, with the day's market calendar.
-- A view: it adds no computation to staging, so it costs nothing to build.
select
    bars.code,
    bars.date,
    bars.adj_open,
    bars.adj_high,
    bars.adj_low,
    bars.adj_close,
    bars.adj_volume,
    bars.open_raw,
    bars.high_raw,
    bars.low_raw,
    bars.close_raw,
    bars.volume_raw,
    bars.turnover_value,
    bars.adjustment_factor,
    bars.cumulative_adjustment,
    bars.hit_upper_limit,
    bars.hit_lower_limit,
    bars.has_trade,
    coalesce(calendar.is_half_day, false) as is_half_day
from {{ ref('stg_jquants__daily_bars') }} as bars
left join {{ ref('int_trading_calendar') }} as calendar on calendar.calendar_date = bars.date
