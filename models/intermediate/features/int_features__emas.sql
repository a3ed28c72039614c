-- EMAs (5): pandas ewm(span, adjust=False) on the adjusted close, exact at every row of any history,
-- from int_features__long_memory (which a daily run continues from each code's last row).
-- The SQL is the macro (macros/features/), so ml_dataset's daily run applies the same family to its recent rows.
{{ ema_features(ref('int_features__flow')) }}
