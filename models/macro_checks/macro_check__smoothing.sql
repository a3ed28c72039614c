-- Wrapper for the unit tests of the smoothing macros (ema, wilder_mean via rsi), in the one-pass
-- form and the two-pass form (block sums in an inner pass); rounded so that hand-computed
-- expectations compare exactly.
select
    code,
    row_idx,
    round({{ ema('close', 5) }}, 6)                    as ema_5,
    round({{ ema('close', 200) }}, 6)                  as ema_200,
    round({{ rsi('close - prev_close', 2) }}, 6)       as rsi_2,
    {{ rsi('close - prev_close', 2) }} <= 100          as rsi_2_within_100,  -- unrounded: no 100.00000000000001
    round({{ ema('close', 5, block_sum='ema_5_block_sum') }}, 6)      as ema_5_two_pass,
    round({{ ema('close', 200, block_sum='ema_200_block_sum') }}, 6)  as ema_200_two_pass,
    round({{ rsi_from_means(wilder_mean(rsi_gain('close - prev_close'), 2, block_sum='gain_block_sum'),
                            wilder_mean(rsi_loss('close - prev_close'), 2, block_sum='loss_block_sum')) }}, 6) as rsi_2_two_pass
from (
    select
        *,
        {{ ema_block_sum('close', 5) }}                                 as ema_5_block_sum,
        {{ ema_block_sum('close', 200) }}                               as ema_200_block_sum,
        {{ wilder_block_sum(rsi_gain('close - prev_close'), 2) }}       as gain_block_sum,
        {{ wilder_block_sum(rsi_loss('close - prev_close'), 2) }}       as loss_block_sum
    from {{ ref('int_price_observations') }}
)
