-- Flow (4): the investor-type signal of the stock's Section as of each date (point in time).
-- The SQL is the macro (macros/features/), so ml_dataset's daily run applies the same family to its recent rows.
{{ flow_features(ref('int_price_observations')) }}
