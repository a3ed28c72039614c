{{ config(materialized='table') }}  {#- ~1,200 rows, read by every query of ml_dataset_enriched #}
-- Market block: TOPIX returns, EMAs, volatility,
-- drawdown from the running peak and the regime, one row per trading date.
with recursive

    topix as materialized(  -- stored once: the recursion below reads it at every step
        select date, close, cast(row_number() over (order by date) as integer) as row_idx, 'TOPIX' as series
        from {{ ref('stg_jquants__topix') }}
        where close is not null
    ),

    emas as (  -- the EMAs, one day per step (pandas ewm(adjust=False), seeded with the first close)
        select row_idx, close as mkt_ema_20, close as mkt_ema_200
        from topix
        where row_idx = 1
        union all
        select t.row_idx, {{ ema_step('t.close', 'e.mkt_ema_20', 20) }}, {{ ema_step('t.close', 'e.mkt_ema_200', 200) }}
        from emas as e
        inner join topix as t on t.row_idx = e.row_idx + 1
    ),

    levels as (
        select
            date,
            {{ simple_return('close', 1, partition_by='series') }} as mkt_ret_1d,
            {{ simple_return('close', 5, partition_by='series') }} as mkt_ret_5d,
            {{ simple_return('close', 20, partition_by='series') }} as mkt_ret_20d,
            emas.mkt_ema_20,
            emas.mkt_ema_200,
            close / max(close) over (partition by series order by row_idx) - 1 as mkt_dd_from_peak,
            close,
            row_idx,
            series
        from topix
        inner join emas using (row_idx)
    )

select
    date,
    mkt_ret_1d,
    mkt_ret_5d,
    mkt_ret_20d,
    mkt_ema_20,
    mkt_ema_200,
    {{ rolling_volatility('mkt_ret_1d', 20, partition_by='series') }} as mkt_vol_20d,
    mkt_dd_from_peak,
    case
        when mkt_ret_20d is null then null when mkt_ret_20d > 0.05 then 1 when mkt_ret_20d < -0.05 then -1 else 0
    end as market_regime
from levels
