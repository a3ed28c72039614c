{#- Extended indicators (8): ATR, NATR, ADX, ±DI, Parabolic SAR and Stochastic %K/%D from the Python
    model int_features__extended (without its kernels' state columns). Joined before the window pass,
    while no other operator holds rows: joined after it, the hash table competed with the window's rows
    for the 3 GB and spilled.
    `extended`: a relation to read instead (ml_dataset's daily run passes the recent rows). -#}
{% macro extended_features(relation, extended=none) -%}
    select f.*, x.atr_14, x.natr_14, x.adx_14, x.plus_di_14, x.minus_di_14, x.psar, x.stoch_k, x.stoch_d
    from {{ relation }} as f
    left join {{ extended if extended is not none else ref('int_features__extended') }} as x using (code, row_idx)
{%- endmacro %}
