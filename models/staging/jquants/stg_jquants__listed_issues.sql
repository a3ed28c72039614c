-- Listing master snapshots, one row per (code, snapshot date).
with

    source as (select * from {{ source('jquants', 'equities_master') }}),

    deduplicated as (select * from source qualify row_number() over (partition by "Code", "Date" order by "Mkt") = 1),

    renamed as (
        select
            cast("Code" as varchar) as code,
            cast("Date" as date) as snapshot_date,
            "CoName" as company_name,
            "CoNameEn" as company_name_en,
            "Mkt" as market_code,
            "MktNm" as market_name,
            "S17" as sector17_code,
            "S17Nm" as sector17_name,
            "S33" as sector33_code,
            "S33Nm" as sector33_name,
            "ScaleCat" as scale_category,
            "Mrgn" as margin_code,
            "MrgnNm" as margin_name,
            "ProdCat" as product_category
        from deduplicated
    )

select *
from renamed
