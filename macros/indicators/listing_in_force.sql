{#- A listing attribute as of an as-of-joined row: NULL when the date is past the interval's end
    (the code left the master), so a gap is never filled with stale attributes. -#}
{% macro listing_in_force(attribute, listing_alias, date_expr) -%}
    case
        when {{ listing_alias }}.valid_to is null or {{ date_expr }} <= {{ listing_alias }}.valid_to
        then {{ listing_alias }}.{{ attribute }}
    end
{%- endmacro %}
