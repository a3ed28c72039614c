{#- MA-derived family's window columns: the previous row's EMAs and the 20-row std of the 1-day
    return, taken in the shared window pass (feature_windows), where returns_1d is not a column yet:
    it is C / prev_close - 1, prev_close being the previous observation's close. -#}
{% macro ma_derived_windows() -%}
    {%- for span in [5, 20, 60] %}
        lag(ema_{{ span }}) over (partition by code order by row_idx) as ema_{{ span }}_prev,
    {%- endfor %}
    {{ rolling_std(relative_change('close', 'prev_close'), 20, non_null_from=2) }} as returns_1d_std_20
{%- endmacro %}
