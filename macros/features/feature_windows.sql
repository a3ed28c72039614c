{#-
  Every per-code window the feature families need, in one pass: one sort of the rows by
  (code, row_idx) and one window operator, instead of one per family, each of which would hold
  every column accumulated so far. Each family's `<family>_windows()` lists its window columns
  (they read only the observations, flow and long-memory columns); its `<family>_features`
  projection turns them into features and drops them.
-#}
{% macro feature_windows(relation) -%}
    select
        *,
        {{ returns_windows() }},
        {{ rsi_windows() }},
        {{ bollinger_windows() }},
        {{ volatility_windows() }},
        {{ ma_derived_windows() }},
        {{ target_windows() }}
    from {{ relation }}
{%- endmacro %}
