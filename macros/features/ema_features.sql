{#- EMAs (5) from int_features__long_memory, which also carries the MACD legs, Wilder's means and
    the volatility regime on to the families that use them (one join for all long-memory values).
    `long_memory`: a relation to read instead (ml_dataset's daily run passes the recent rows). -#}
{% macro ema_features(relation, long_memory=none) -%}
select
    f.*,
    m.ema_5,
    m.ema_10,
    m.ema_20,
    m.ema_60,
    m.ema_200,
    m.ema_12,
    m.ema_26,
    m.macd_signal,
    m.rsi_14_gain,
    m.rsi_14_loss,
    m.rsi_2_gain,
    m.rsi_2_loss,
    m.volatility_20d,
    m.volatility_60d,
    m.high_vol_flag,
    m.low_vol_flag
from {{ relation }} as f
inner join {{ long_memory if long_memory is not none else ref('int_features__long_memory') }} as m using (code, row_idx)
{%- endmacro %}
