-- MACD (2): m = EMA(C, 12) - EMA(C, 26); signal = EMA(m, 9); histogram = m - signal.
-- The SQL is the macro (macros/features/), so ml_dataset's daily run applies the same family to its recent rows.
{{ macd_features(ref('int_features__returns')) }}
