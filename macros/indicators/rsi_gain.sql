{#- The gain of a one-row change: max(change, 0) (NULL stays NULL). -#}
{% macro rsi_gain(change) %} greatest({{ change }}, 0){% endmacro %}
