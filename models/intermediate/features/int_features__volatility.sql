-- Volatility (7): 20/60-row volatility of daily returns (annualised), their ratio and change,
-- trailing-252 quantile flags (point in time), and Parkinson's high-low volatility.
with

levels as (
    select
        *,
        {{ rolling_volatility('returns_1d', 20) }}            as volatility_20d,
        {{ rolling_volatility('returns_1d', 60) }}            as volatility_60d,
        {{ rolling_volatility('returns_1d', 20, offset=1) }}  as volatility_20d_prev,
        sqrt(({{ rolling_mean('ln(high / low) ^ 2', 20) }}) / (4 * ln(2.0))) * sqrt(252.0) as parkinson_vol_20d
    from {{ ref('int_features__bollinger') }}
)

select
    * exclude (volatility_20d_prev),
    {{ safe_divide('volatility_20d', 'volatility_60d') }}               as volatility_ratio,
    {{ safe_divide('volatility_20d', 'volatility_20d_prev') }} - 1      as volatility_change,
    {{ trailing_quantile_flag('volatility_20d', 0.8, 252, '>') }}       as high_vol_flag,
    {{ trailing_quantile_flag('volatility_20d', 0.2, 252, '<') }}       as low_vol_flag
from levels
