-- MA-derived (17) and Returns×MA (12): deviations, gaps, slopes, crosses, the ribbon, momentum
-- ratios, interactions and Sharpe ratios.
-- The SQL is the macro (macros/features/), so ml_dataset's daily run applies the same family to its recent rows.
{{ ma_derived_features(ref('int_features__volatility')) }}
