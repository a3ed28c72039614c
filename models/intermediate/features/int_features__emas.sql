-- EMAs (5): pandas ewm(span, adjust=False) on the adjusted close, exact at every row of any history.
select
    *,
    {{ ema('close', 5) }}   as ema_5,
    {{ ema('close', 10) }}  as ema_10,
    {{ ema('close', 20) }}  as ema_20,
    {{ ema('close', 60) }}  as ema_60,
    {{ ema('close', 200) }} as ema_200
from {{ ref('int_features__returns') }}
