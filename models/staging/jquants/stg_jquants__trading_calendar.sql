-- One row per calendar date. Equities trade on HolDiv '1' and '2' only ('3' is derivatives-only).
with

    source as (select * from {{ source('jquants', 'markets_calendar') }}),

    renamed as (
        select
            cast("Date" as date) as calendar_date,
            "HolDiv" as holiday_division,
            "HolDiv" in ('1', '2') as is_trading_day,
            "HolDiv" = '2' as is_half_day
        from source
        qualify row_number() over (partition by "Date" order by "HolDiv") = 1
    )

select *
from renamed
