-- Bollinger (2): M = mean20(C), s = population std20(C), bands M ± 2s; %b (not clipped) and bandwidth.
-- The SQL is the macro (macros/features/), so ml_dataset's daily run applies the same family to its recent rows.
{{ bollinger_features(ref('int_features__rsi')) }}
