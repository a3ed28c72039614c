-- Wrapper for the unit tests of the window macros: returns, rolling statistics, the trailing-quantile flag
-- (trailing_quantiles with threshold_flag, as int_features__long_memory's regime flags).
select
    code,
    row_idx,
    round({{ simple_return('close', 1) }}, 6) as return_1,
    round({{ rolling_mean('close', 3) }}, 6) as mean_3,
    round({{ rolling_std('close', 3) }}, 6) as std_3,
    round({{ rolling_std('close', 3, ddof=0) }}, 6) as pop_std_3,
    round({{ rolling_std(relative_change('close', 'prev_close'), 3) }}, 6) as return_std_3,
    round({{ rolling_std(relative_change('close', 'prev_close'), 3, non_null_from=2) }}, 6) as return_std_3_from_row_2,
    round({{ bollinger_pct_b('close', rolling_mean('close', 3), rolling_std('close', 3, ddof=0), 1) }}, 6) as pct_b_3,
    {{ threshold_flag('close', '(' ~ trailing_quantiles('close', [0.8], 3) ~ ')[1]', '>') }} as above_q80_3
from {{ ref('int_price_observations') }}
