{#- The loss of a one-row change: max(-change, 0) (NULL stays NULL). -#}
{% macro rsi_loss(change) %} greatest(- ({{ change }}), 0){% endmacro %}
