-- Every financial-statement disclosure with the first trading date it can be used on (point in
-- time: a release at or after the session's close counts from the next trading day).
with

    statements as (select * from {{ ref('stg_jquants__fins_summary') }}),

    calendar as (select * from {{ ref('int_trading_calendar') }})

select
    statements.code,
    statements.disclosure_number,
    statements.disclosed_date,
    statements.disclosed_time,
    statements.document_type,
    statements.period_type,
    statements.fiscal_year_start,
    statements.fiscal_year_end,
    statements.net_sales,
    statements.operating_profit,
    statements.profit,
    statements.total_assets,
    statements.equity,
    statements.forecast_operating_profit,
    statements.forecast_profit,
    statements.forecast_eps,
    statements.next_year_forecast_operating_profit,
    statements.next_year_forecast_profit,
    statements.next_year_forecast_eps,
    {{ statement_available_date('statements.disclosed_date', 'statements.disclosed_time',
                                'calendar.is_trading_day', 'calendar.is_half_day', 'calendar.next_trading_day') }}
    as available_date
from statements
left join calendar on calendar.calendar_date = statements.disclosed_date
