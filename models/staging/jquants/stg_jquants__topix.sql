-- TOPIX daily OHLC, one row per trading date.
with

    source as (select * from {{ source('jquants', 'indices_topix') }}),

    renamed as (
        select
            cast("Date" as date) as date,
            cast("O" as double) as open,
            cast("H" as double) as high,
            cast("L" as double) as low,
            cast("C" as double) as close
        from source
        qualify row_number() over (partition by "Date" order by "C" is null) = 1
    )

select *
from renamed
