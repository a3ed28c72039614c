{#- The codes whose adjusted history a new bar changes — one with AdjFactor ≠ 1 (a split or merger)
    and a close — from a relation or subquery of new bars: int_price_observations reloads them
    whole, and its past-bars check leaves them to that reload. -#}
{% macro restated_codes(new_bars) -%}
    select distinct code from {{ new_bars }} where adj_close > 0 and adjustment_factor <> 1
{%- endmacro %}
