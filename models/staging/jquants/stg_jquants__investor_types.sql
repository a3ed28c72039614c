-- Weekly investor-type trading per section, every publication (corrections included), in
-- thousand JPY. Natural key: (section, week_start, week_end, published_date).
with

    source as (select * from {{ source('jquants', 'equities_investor_types') }}),

    renamed as (
        select
            "Section" as section,
            cast("StDate" as date) as week_start,
            cast("EnDate" as date) as week_end,
            cast("PubDate" as date) as published_date,
            "FrgnSell" as foreigners_sell,
            "FrgnBuy" as foreigners_buy,
            "FrgnBal" as foreigners_balance,
            "IndSell" as individuals_sell,
            "IndBuy" as individuals_buy,
            "IndBal" as individuals_balance,
            "PropBal" as proprietary_balance,
            "BrkBal" as brokerage_balance,
            "TotSell" as total_sell,
            "TotBuy" as total_buy,
            "TotTot" as total_value,
            "TotBal" as total_balance,
            "InvTrBal" as investment_trusts_balance,
            "BusCoBal" as business_cos_balance,
            "TrstBnkBal" as trust_banks_balance
        from source
        qualify row_number() over (partition by "Section", "StDate", "EnDate", "PubDate" order by "TotTot") = 1
    )

select *
from renamed
