-- Financial statement summaries, one row per (code, disclosure number).
with

    source as (select * from {{ source('jquants', 'fins_summary') }}),

    renamed as (
        select
            cast("Code" as varchar) as code,
            "DiscNo" as disclosure_number,
            cast("DiscDate" as date) as disclosed_date,
            nullif("DiscTime", '') as disclosed_time,
            "DocType" as document_type,
            "CurPerType" as period_type,
            "CurPerSt" as period_start,
            "CurPerEn" as period_end,
            "CurFYSt" as fiscal_year_start,
            "CurFYEn" as fiscal_year_end,
            "Sales" as net_sales,
            "OP" as operating_profit,
            "OdP" as ordinary_profit,
            "NP" as profit,
            "EPS" as eps,
            "TA" as total_assets,
            "Eq" as equity,
            "EqAR" as equity_to_asset_ratio,
            "BPS" as bps,
            "FSales" as forecast_net_sales,
            "FOP" as forecast_operating_profit,
            "FNP" as forecast_profit,
            "FEPS" as forecast_eps,
            "NxFSales" as next_year_forecast_net_sales,
            "NxFOP" as next_year_forecast_operating_profit,
            "NxFNp" as next_year_forecast_profit,
            "NxFEPS" as next_year_forecast_eps,
            "ShOutFY" as shares_outstanding
        from source
        qualify row_number() over (partition by "Code", "DiscNo" order by "DiscDate") = 1
    )

select *
from renamed
