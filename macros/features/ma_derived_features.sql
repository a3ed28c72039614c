{#- MA-derived (17) and Returns×MA (12): deviations, gaps, slopes, crosses, the ribbon, momentum
    ratios, interactions and Sharpe ratios. -#}
{% macro ma_derived_features(relation) -%}
    with

        slopes as (
            select
                * exclude (ema_5_prev, ema_20_prev, ema_60_prev),
                {{ relative_change('ema_5', 'ema_5_prev') }} as ema5_slope,
                {{ relative_change('ema_20', 'ema_20_prev') }} as ema20_slope,
                {{ relative_change('ema_60', 'ema_60_prev') }} as ema60_slope
            from {{ relation }}
        ),

        ribbon as (select *, (ema_5 + ema_10 + ema_20 + ema_60) / 4.0 as ribbon_mean from slopes)

    select
        * exclude (ribbon_mean, returns_1d_std_20),
        {{ safe_divide('close - ema_5', 'ema_5') }} as price_ema5_dev,
        {{ safe_divide('close - ema_10', 'ema_10') }} as price_ema10_dev,
        {{ safe_divide('close - ema_20', 'ema_20') }} as price_ema20_dev,
        {{ safe_divide('close - ema_60', 'ema_60') }} as price_ema60_dev,
        {{ safe_divide('close - ema_200', 'ema_200') }} as price_ema200_dev,
        {{ safe_divide('ema_5 - ema_20', 'ema_20') }} as ma_gap_5_20,
        {{ safe_divide('ema_20 - ema_60', 'ema_60') }} as ma_gap_20_60,
        {{ safe_divide('ema_60 - ema_200', 'ema_200') }} as ma_gap_60_200,
        case when ema_5 > ema_20 then 1 else 0 end as ema_cross_5_20,
        case when ema_20 > ema_60 then 1 else 0 end as ema_cross_20_60,
        case when ema_60 > ema_200 then 1 else 0 end as ema_cross_60_200,
        case when ema_5 > ema_10 and ema_10 > ema_20 and ema_20 > ema_60 then 1 else 0 end as ma_ribbon_bullish,
        case when ema_5 < ema_10 and ema_10 < ema_20 and ema_20 < ema_60 then 1 else 0 end as ma_ribbon_bearish,
        {{ safe_divide('sqrt(((ema_5 - ribbon_mean) ^ 2 + (ema_10 - ribbon_mean) ^ 2 + (ema_20 - ribbon_mean) ^ 2 + (ema_60 - ribbon_mean) ^ 2) / 3.0)', 'close') }}
        as ma_ribbon_spread,
        {{ safe_divide('returns_1d', 'returns_5d') }} as momentum_1_5,
        {{ safe_divide('returns_5d', 'returns_20d') }} as momentum_5_20,
        {{ safe_divide('returns_10d', 'returns_20d') }} as momentum_10_20,
        returns_1d * ({{ safe_divide('close - ema_20', 'ema_20') }}) as ret1d_x_ema20dev,
        returns_5d * ({{ safe_divide('close - ema_20', 'ema_20') }}) as ret5d_x_ema20dev,
        returns_1d * ({{ safe_divide('close - ema_200', 'ema_200') }}) as ret1d_x_ema200dev,
        returns_20d * ({{ safe_divide('close - ema_200', 'ema_200') }}) as ret20d_x_ema200dev,
        returns_5d * ema20_slope as mom5d_x_ema20slope,
        returns_20d * ema60_slope as mom20d_x_ema60slope,
        {{ safe_divide('returns_1d', 'returns_1d_std_20') }} as sharpe_1d,
        {{ safe_divide('returns_5d', 'returns_1d_std_20 * sqrt(5.0)') }} as sharpe_5d,
        {{ safe_divide('returns_20d', 'returns_1d_std_20 * sqrt(20.0)') }} as sharpe_20d
    from ribbon
{%- endmacro %}
