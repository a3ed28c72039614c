-- Returns (4): C_t / C_{t-h} - 1 over observations, stored raw (whole-sample winsorizing leaks).
-- The SQL is the macro (macros/features/), so ml_dataset's daily run applies the same family to its recent rows.
{{ returns_features(ref('int_features__windows')) }}
