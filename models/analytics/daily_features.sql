{{ config(materialized='view') }}
-- The analyst's view of the dataset: one row per stock and trading day, with the company, its
-- market and sector as of that day (point in time), prices and the most used features and targets.
select
    f.code,
    f.date,
    listing.company_name_en                 as company,
    listing.market_name                     as market,
    listing.sector33_name                   as sector,
    f.close,
    f.volume,
    f.turnover_value,
    f.returns_1d,
    f.returns_20d,
    f.ema_20,
    f.ema_200,
    f.rsi_14,
    f.macd_histogram,
    f.bb_pct_b,
    f.volatility_20d,
    f.smart_money_index,
    f.target_1d,
    f.target_5d,
    f.target_20d
from {{ ref('ml_dataset') }} as f
{{ asof_join(ref('int_listed_issues_pit'), 'listing', ['code'], 'date', 'valid_from', left_alias='f') }}
