{{ config(
    materialized='incremental',
    unique_key=['code', 'date'],
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    post_hook=[
        "{{ complete_targets(this, ref('int_price_observations')) if is_incremental() }}",
        "{{ record_build(this) }}",
    ]
) }}
-- depends_on: {{ ref('int_daily_scope') }}  (a daily run's scope)
-- The ML dataset: one row per observation (code, date with an adjusted close); 62 features,
-- 7 targets, the extended indicators and point-in-time winsorized returns. Column names and
-- formulas: docs/features.md; the contract enforces names and types.
--
-- The feature families are computed here, one CTE each, by their macros (macros/features/<family>
-- _features.sql, each built from the indicator macros in macros/indicators/), over the observations
-- and the values of the long-memory, volatility and extended models.
-- Daily run: for the codes in the run's scope (int_daily_scope), a continued code's new rows and the
-- 21 rows of window history before them, a code recomputed whole (a split restated its history)
-- all its rows; a post-hook then fills in the stored rows' targets that the new rows complete
-- (complete_targets).
{%- set window_rows = 21 %}  {#- the longest look back of the families: returns_20d reads the close 20 rows back #}
with

    {% if is_incremental() -%}
        scope as ({{ daily_scope("date '" ~ last_stored_day() ~ "'") }}),

        window_start as materialized(  -- the earliest day the windows reach, looked up once for the four tables below
            select {{ scope_first_day(ref('int_price_observations'), 'scope', window_rows) }} as date
        ),

        {%- set first_day = '(select date from window_start)' %}

        -- each continued code's new rows and the window history before them, a recomputed code's every row
        observations as ({{ scoped_rows(ref('int_price_observations'), 'scope', window_rows, first_day) | indent(4) }}),

        long_memory as (
            select m.* exclude (kept_rows), v.* exclude (code, date, row_idx, kept_rows)
            from ({{ scoped_rows(ref('int_features__long_memory'), 'scope', window_rows, first_day) }}) as m
            inner join
                ({{ scoped_rows(ref('int_features__volatility'), 'scope', window_rows, first_day) }}) as v using (
                    code, row_idx
                )
        ),

        extended as (
            select * exclude (kept_rows)
            from ({{ scoped_rows(ref('int_features__extended'), 'scope', window_rows, first_day) }})
        ),

    {% else -%}

        observations as (select *, 0 as kept_rows from {{ ref('int_price_observations') }}),

        long_memory as (
            select m.*, v.* exclude (code, date, row_idx)
            from {{ ref('int_features__long_memory') }} as m
            inner join {{ ref('int_features__volatility') }} as v using (code, row_idx)
        ),

        extended as (select * from {{ ref('int_features__extended') }}),

    {% endif -%}
    -- the feature families, in the order their inputs need
    flow as ({{ flow_features('observations') }}),
    emas as ({{ ema_features('flow', 'long_memory') }}),
    with_extended as ({{ extended_features('emas', 'extended') }}),
    windows as ({{ feature_windows('with_extended') }}),
    returns as ({{ returns_features('windows') }}),
    macd as ({{ macd_features('returns') }}),
    rsi as ({{ rsi_features('macd') }}),
    bollinger as ({{ bollinger_features('rsi') }}),
    volatility as ({{ volatility_features('bollinger') }}),
    ma_derived as ({{ ma_derived_features('volatility') }}),
    targets as ({{ target_features('ma_derived') }}),

    features as (  -- a daily run writes only the rows after the stored ones
        select * exclude (kept_rows) from targets where row_idx > kept_rows
    ),

    joined as (
        select features.*, bounds.* exclude (date)
        from features
        -- stored per date: a code recomputed whole reads the bounds of its past dates
        left join {{ ref('int_features__return_bounds') }} as bounds using (date)
    ),

    dataset as (
        select
            -- identifiers and adjusted OHLCV
            cast(code as varchar) as code,
            cast(date as date) as date,
            cast(open as double) as open,
            cast(high as double) as high,
            cast(low as double) as low,
            cast(close as double) as close,
            cast(volume as double) as volume,
            cast(turnover_value as double) as turnover_value,
            cast(row_idx as integer) as row_idx,
            -- returns (4)
            cast(returns_1d as double) as returns_1d,
            cast(returns_5d as double) as returns_5d,
            cast(returns_10d as double) as returns_10d,
            cast(returns_20d as double) as returns_20d,
            -- EMAs (5)
            cast(ema_5 as double) as ema_5,
            cast(ema_10 as double) as ema_10,
            cast(ema_20 as double) as ema_20,
            cast(ema_60 as double) as ema_60,
            cast(ema_200 as double) as ema_200,
            -- MA-derived (17)
            cast(price_ema5_dev as double) as price_ema5_dev,
            cast(price_ema10_dev as double) as price_ema10_dev,
            cast(price_ema20_dev as double) as price_ema20_dev,
            cast(price_ema60_dev as double) as price_ema60_dev,
            cast(price_ema200_dev as double) as price_ema200_dev,
            cast(ma_gap_5_20 as double) as ma_gap_5_20,
            cast(ma_gap_20_60 as double) as ma_gap_20_60,
            cast(ma_gap_60_200 as double) as ma_gap_60_200,
            cast(ema5_slope as double) as ema5_slope,
            cast(ema20_slope as double) as ema20_slope,
            cast(ema60_slope as double) as ema60_slope,
            cast(ema_cross_5_20 as integer) as ema_cross_5_20,
            cast(ema_cross_20_60 as integer) as ema_cross_20_60,
            cast(ema_cross_60_200 as integer) as ema_cross_60_200,
            cast(ma_ribbon_bullish as integer) as ma_ribbon_bullish,
            cast(ma_ribbon_bearish as integer) as ma_ribbon_bearish,
            cast(ma_ribbon_spread as double) as ma_ribbon_spread,
            -- returns × MA (12)
            cast(momentum_1_5 as double) as momentum_1_5,
            cast(momentum_5_20 as double) as momentum_5_20,
            cast(momentum_10_20 as double) as momentum_10_20,
            cast(ret1d_x_ema20dev as double) as ret1d_x_ema20dev,
            cast(ret5d_x_ema20dev as double) as ret5d_x_ema20dev,
            cast(ret1d_x_ema200dev as double) as ret1d_x_ema200dev,
            cast(ret20d_x_ema200dev as double) as ret20d_x_ema200dev,
            cast(mom5d_x_ema20slope as double) as mom5d_x_ema20slope,
            cast(mom20d_x_ema60slope as double) as mom20d_x_ema60slope,
            cast(sharpe_1d as double) as sharpe_1d,
            cast(sharpe_5d as double) as sharpe_5d,
            cast(sharpe_20d as double) as sharpe_20d,
            -- RSI (3)
            cast(rsi_14 as double) as rsi_14,
            cast(rsi_2 as double) as rsi_2,
            cast(rsi_delta as double) as rsi_delta,
            -- MACD (2)
            cast(macd_signal as double) as macd_signal,
            cast(macd_histogram as double) as macd_histogram,
            -- Bollinger (2)
            cast(bb_pct_b as double) as bb_pct_b,
            cast(bb_bandwidth as double) as bb_bandwidth,
            -- volatility (7)
            cast(volatility_20d as double) as volatility_20d,
            cast(volatility_60d as double) as volatility_60d,
            cast(volatility_ratio as double) as volatility_ratio,
            cast(volatility_change as double) as volatility_change,
            cast(high_vol_flag as integer) as high_vol_flag,
            cast(low_vol_flag as integer) as low_vol_flag,
            cast(parkinson_vol_20d as double) as parkinson_vol_20d,
            -- flow (4)
            cast(smart_money_index as double) as smart_money_index,
            cast(smart_money_change as double) as smart_money_change,
            cast(flow_high_flag as integer) as flow_high_flag,
            cast(flow_low_flag as integer) as flow_low_flag,
            -- maturity (6)
            cast(row_idx >= 5 as integer) as is_rsi2_valid,
            cast(row_idx >= 15 as integer) as is_ema5_valid,
            cast(row_idx >= 30 as integer) as is_ema10_valid,
            cast(row_idx >= 60 as integer) as is_ema20_valid,
            cast(row_idx >= 200 as integer) as is_ema200_valid,
            cast(row_idx >= 60 as integer) as is_valid_ma,
            -- targets (7)
            cast(target_1d as double) as target_1d,
            cast(target_5d as double) as target_5d,
            cast(target_10d as double) as target_10d,
            cast(target_20d as double) as target_20d,
            cast(target_1d_binary as integer) as target_1d_binary,
            cast(target_5d_binary as integer) as target_5d_binary,
            cast(target_10d_binary as integer) as target_10d_binary,
            -- extended indicators (Python model)
            cast(atr_14 as double) as atr_14,
            cast(natr_14 as double) as natr_14,
            cast(adx_14 as double) as adx_14,
            cast(plus_di_14 as double) as plus_di_14,
            cast(minus_di_14 as double) as minus_di_14,
            cast(psar as double) as psar,
            cast(stoch_k as double) as stoch_k,
            cast(stoch_d as double) as stoch_d,
            -- winsorized returns: clipped to that date's cross-sectional 1st/99th percentiles
            cast({{ clip_to_bounds('returns_1d', 'returns_1d_lo', 'returns_1d_hi') }} as double) as returns_1d_w,
            cast({{ clip_to_bounds('returns_5d', 'returns_5d_lo', 'returns_5d_hi') }} as double) as returns_5d_w,
            cast({{ clip_to_bounds('returns_10d', 'returns_10d_lo', 'returns_10d_hi') }} as double) as returns_10d_w,
            cast({{ clip_to_bounds('returns_20d', 'returns_20d_lo', 'returns_20d_hi') }} as double) as returns_20d_w
        from joined
    )

-- No ORDER BY: a full refresh writes the rows in the window pass's (code, row_idx) order, daily runs
-- append by date. Sorting the 90 columns by date would spill at the 3 GB memory limit and cost half
-- the build. The price: a date filter within the full refresh's span reads every row group (a filter
-- on days appended later still skips them: their dates lie past every full-refresh row group's
-- maximum), and completing targets in place touches more row groups for the first 20 daily runs
-- after a full refresh, until the open targets all lie in appended rows.
select *
from dataset
