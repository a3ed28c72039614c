{#- Fails with every value that is NaN or ±infinity (NULL passes). -#}
{% test is_finite(model, column_name) %}
    select {{ column_name }} from {{ model }} where {{ column_name }} is not null and not isfinite({{ column_name }})
{% endtest %}
