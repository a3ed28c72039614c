{#- RSI (3): Wilder's RSI(14) and RSI(2) exactly as TA-Lib RSI (from the long-memory gain/loss
    means), and the one-row change of RSI(14). -#}
{% macro rsi_features(relation) -%}
    with

        levels as (
            select
                * exclude (rsi_14_gain, rsi_14_loss, rsi_2_gain, rsi_2_loss),
                {{ rsi_from_means('rsi_14_gain', 'rsi_14_loss') }} as rsi_14,
                {{ rsi_from_means('rsi_2_gain', 'rsi_2_loss') }} as rsi_2
            from {{ relation }}
        )

    select * exclude (rsi_14_prev), rsi_14 - rsi_14_prev as rsi_delta
    from levels
{%- endmacro %}
