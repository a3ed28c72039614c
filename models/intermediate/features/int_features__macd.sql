-- MACD (2): m = EMA(C, 12) - EMA(C, 26); signal = EMA(m, 9); histogram = m - signal.
with

line as (
    select
        *,
        ({{ ema('close', 12) }}) - ({{ ema('close', 26) }}) as macd_line
    from {{ ref('int_features__emas') }}
)

select
    * exclude (macd_line),
    {{ ema('macd_line', 9) }}                  as macd_signal,
    macd_line - ({{ ema('macd_line', 9) }})    as macd_histogram
from line
