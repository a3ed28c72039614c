-- Wrapper for the unit tests of the smoothing macros (ema, wilder_mean via rsi); rounded so that
-- hand-computed expectations compare exactly.
select
    code,
    row_idx,
    round({{ ema('close', 5) }}, 6)                    as ema_5,
    round({{ ema('close', 200) }}, 6)                  as ema_200,
    round({{ rsi('close - prev_close', 2) }}, 6)       as rsi_2,
    {{ rsi('close - prev_close', 2) }} <= 100          as rsi_2_within_100  -- unrounded: no 100.00000000000001
from {{ ref('int_price_observations') }}
