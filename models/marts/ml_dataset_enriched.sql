{{ config(materialized='view') }}
-- ml_dataset plus the point-in-time statement, market, sector and cross-sectional blocks
-- (docs/features.md). Same grain and row count as ml_dataset. A view: the blocks
-- are stored once in int_enrichment__blocks, the market's once per date in int_enrichment__market,
-- and ml_dataset's columns are not copied (a full read costs one join on (code, date) and one on
-- date with a ~1,200-row table).
select
    base.*,
    -- statements
    blocks.stmt_yoy_sales,
    blocks.stmt_yoy_op,
    blocks.stmt_yoy_np,
    blocks.stmt_opm,
    blocks.stmt_npm,
    blocks.stmt_progress_op,
    blocks.stmt_progress_np,
    blocks.stmt_rev_fore_op,
    blocks.stmt_rev_fore_np,
    blocks.stmt_rev_fore_eps,
    blocks.stmt_roe,
    blocks.stmt_roa,
    blocks.stmt_days_since,
    blocks.stmt_impulse,
    blocks.is_stmt_valid,
    -- market
    market.mkt_ret_1d,
    market.mkt_ret_5d,
    market.mkt_ret_20d,
    market.mkt_ema_20,
    market.mkt_ema_200,
    market.mkt_vol_20d,
    market.mkt_dd_from_peak,
    blocks.beta_60d,
    blocks.alpha_1d,
    blocks.alpha_5d,
    blocks.rel_strength_20d,
    blocks.idio_vol_ratio,
    cast(market.market_regime as integer) as market_regime,
    blocks.is_beta_valid,
    -- sector
    blocks.sec_ret_1d_eq,
    blocks.sec_ret_5d_eq,
    blocks.sec_vol_20d,
    blocks.rel_to_sec_5d,
    blocks.z_in_sec_returns_5d,
    blocks.z_in_sec_volatility_20d,
    blocks.sec_member_cnt,
    blocks.is_sec_valid,
    -- cross-section
    blocks.returns_1d_cs_pct,
    blocks.returns_1d_cs_z,
    blocks.returns_5d_cs_pct,
    blocks.returns_5d_cs_z,
    blocks.returns_20d_cs_pct,
    blocks.returns_20d_cs_z,
    blocks.volatility_20d_cs_pct,
    blocks.volatility_20d_cs_z,
    blocks.turnover_value_cs_pct,
    blocks.turnover_value_cs_z
from {{ ref('ml_dataset') }} as base
left join {{ ref('int_enrichment__blocks') }} as blocks using (code, date)
left join {{ ref('int_enrichment__market') }} as market using (date)
