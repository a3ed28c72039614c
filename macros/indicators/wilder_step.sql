{#- One step of Wilder's smoothing of a change series as TA-Lib computes it, seed included. The
    changes start on row 2 (row 1 has none), so the column holds their running sum through row n
    (the caller anchors it at 0 on row 1), their mean at row n + 1 — TA-Lib's seed, summed in order —
    and from then on S_t = (S_{t-1} * (n - 1) + x_t) / n. Before row n + 1 the value is a sum, not a
    mean: the caller shows it as NULL there. -#}
{% macro wilder_step(x, previous, n, row_idx) -%}
    case
        when {{ row_idx }} <= {{ n }}
        then ({{ previous }}) + ({{ x }})
        when {{ row_idx }} = {{ n + 1 }}
        then (({{ previous }}) + ({{ x }})) / {{ n }}
        else (({{ previous }}) * ({{ n }} - 1) + ({{ x }})) / {{ n }}
    end
{%- endmacro %}
