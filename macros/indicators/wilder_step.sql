{#- One step of Wilder's smoothing as TA-Lib computes it: S_t = (S_{t-1} * (n - 1) + x_t) / n. The
    first value (TA-Lib's seed) is the mean of the first n values, summed in order by the caller. -#}
{% macro wilder_step(x, previous, n) -%} (({{ previous }}) * ({{ n }} - 1) + ({{ x }})) / {{ n }} {%- endmacro %}
