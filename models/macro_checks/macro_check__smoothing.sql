-- Wrapper for the unit tests of the smoothing steps (ema_step, wilder_step with TA-Lib's seed,
-- rsi_from_means): the recursion int_features__long_memory runs, for EMA 5, EMA 200 and RSI 2;
-- rounded so that hand-computed expectations compare exactly.
with recursive

    smoothed as (
        select
            code,
            row_idx,
            close as ema_5,
            close as ema_200,
            cast(0 as double) as gain,  -- the running sum: row 1 has no change
            cast(0 as double) as loss
        from {{ ref('int_price_observations') }}
        where row_idx = 1
        union all
        select
            o.code,
            o.row_idx,
            {{ ema_step('o.close', 's.ema_5', 5) }},
            {{ ema_step('o.close', 's.ema_200', 200) }},
            {{ wilder_step(rsi_gain('o.close - o.prev_close'), 's.gain', 2, 'o.row_idx') }},
            {{ wilder_step(rsi_loss('o.close - o.prev_close'), 's.loss', 2, 'o.row_idx') }}
        from smoothed as s
        inner join {{ ref('int_price_observations') }} as o on o.code = s.code and o.row_idx = s.row_idx + 1
    ),

    means as (  -- a running sum before the seed row
        select *, case when row_idx > 2 then gain end as gain_mean, case when row_idx > 2 then loss end as loss_mean
        from smoothed
    )

select
    code,
    row_idx,
    round(ema_5, 6) as ema_5,
    round(ema_200, 6) as ema_200,
    round({{ rsi_from_means('gain_mean', 'loss_mean') }}, 6) as rsi_2,
    {{ rsi_from_means('gain_mean', 'loss_mean') }} <= 100 as rsi_2_within_100  -- unrounded: no 100.00000000000001
from means
