-- Volatility (7): 20/60-row volatility of daily returns (annualised), their ratio and change,
-- trailing-252 quantile flags (point in time), and Parkinson's high-low volatility.
-- The SQL is the macro (macros/features/), so ml_dataset's daily run applies the same family to its recent rows.
{{ volatility_features(ref('int_features__bollinger')) }}
