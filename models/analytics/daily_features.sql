{{ config(materialized='view') }}
-- The analyst's view of the dataset: one row per stock and trading day, with the company, its
-- market and sector as of that day (point in time), prices and the most used features and targets.
select
    f.code,
    f.date,
    {{ listing_in_force('company_name_en', 'listing', 'f.date') }} as company,
    {{ listing_in_force('market_name', 'listing', 'f.date') }} as market,
    {{ listing_in_force('sector33_name', 'listing', 'f.date') }} as sector,
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
from
    {{ ref('ml_dataset') }} as f
    {{ asof_join(ref('int_listed_issues_pit'), 'listing', ['code'], 'date', 'valid_from', left_alias='f') }}
