-- RSI (3): Wilder's RSI(14) and RSI(2) exactly as TA-Lib RSI, and the one-row change of RSI(14).
with

levels as (
    select
        *,
        {{ rsi('close - prev_close', 14) }} as rsi_14,
        {{ rsi('close - prev_close', 2) }}  as rsi_2
    from {{ ref('int_features__macd') }}
)

select
    *,
    rsi_14 - lag(rsi_14) over (partition by code order by row_idx) as rsi_delta
from levels
