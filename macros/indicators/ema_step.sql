{#- One step of pandas x.ewm(span=span, adjust=False).mean(): the new value from the previous one,
    exactly as pandas computes it (alpha = 1 / (1 + com), com = (span - 1) / 2; the weighted mean
    divided by its weights' sum; an unchanged value when x equals the previous value), so a
    recursion of these steps is bit-identical to pandas. -#}
{% macro ema_step(x, previous, span) -%}
    {%- set alpha = '(1.0 / (1.0 + (' ~ span ~ ' - 1) / 2.0))' -%}
    case
        when ({{ previous }}) = ({{ x }})
        then ({{ previous }})
        else ((1.0 - {{ alpha }}) * ({{ previous }}) + {{ alpha }} * ({{ x }})) / ((1.0 - {{ alpha }}) + {{ alpha }})
    end
{%- endmacro %}
