{{ config(materialized='view') }}
-- Every listed company with its latest market, sectors and size bucket.
select
    code,
    company_name,
    company_name_en,
    market_code,
    market_name,
    sector17_name,
    sector33_code,
    sector33_name,
    scale_category,
    first_seen,
    last_seen
from {{ ref('dim_listed_companies') }}
