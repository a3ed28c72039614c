{#- EMAs (5) from `long_memory` (ml_dataset's join of int_features__long_memory and
    int_features__volatility), which also carries the MACD legs, Wilder's means and the volatility
    regime on to the families that use them: one join for all long-memory values. -#}
{% macro ema_features(relation, long_memory) -%}
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
    inner join {{ long_memory }} as m using (code, row_idx)
{%- endmacro %}
