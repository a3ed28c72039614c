-- Targets (7): forward returns over the next h observations of the code and their signs.
-- The only columns that look forward; every feature looks at rows <= t.
-- The SQL is the macro (macros/features/), so ml_dataset's daily run applies the same family to its recent rows.
{{ target_features(ref('int_features__ma_derived')) }}
