-- Extended indicators (8): ATR, NATR, ADX, ±DI, Parabolic SAR, Stochastic, computed by the Python model
-- int_features__extended and joined into the chain here, before the window pass.
-- The SQL is the macro (macros/features/), so ml_dataset's daily run applies the same family to its recent rows.
{{ extended_features(ref('int_features__emas')) }}
