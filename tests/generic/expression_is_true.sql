{#- Fails with every row where `expression` is false (rows where it is NULL pass, like SQL CHECK). -#}
{% test expression_is_true(model, expression, where_clause=none) %}
    select * from {{ model }} where not ({{ expression }}) {% if where_clause %} and ({{ where_clause }}){% endif %}
{% endtest %}
