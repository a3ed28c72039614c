-- RSI (3): Wilder's RSI(14) and RSI(2) exactly as TA-Lib RSI, and the one-row change of RSI(14).
-- The SQL is the macro (macros/features/), so ml_dataset's daily run applies the same family to its recent rows.
{{ rsi_features(ref('int_features__macd')) }}
