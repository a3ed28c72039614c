-- Every financial-statement disclosure with the first trading date it can be used on (point in
-- time: a release at or after the session's close counts from the next trading day).
with

statements as (
    select * from {{ ref('stg_jquants__fins_summary') }}
),

calendar as (
    select * from {{ ref('int_trading_calendar') }}
)

select
    statements.code,
    statements.disclosure_number,
    statements.disclosed_date,
    statements.disclosed_time,
    statements.document_type,
    {{ statement_available_date('statements.disclosed_date', 'statements.disclosed_time',
                                'calendar.is_trading_day', 'calendar.is_half_day', 'calendar.next_trading_day') }}
        as available_date
from statements
left join calendar on calendar.calendar_date = statements.disclosed_date
