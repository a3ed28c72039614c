{{ config(materialized='view') }}
-- Every company ever listed, with its latest market, sectors and size bucket, and whether it still is.
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
    last_seen,
    is_listed
from {{ ref('dim_listed_companies') }}
