-- Daily bars, one row per (code, date): deduplicated, typed, adjusted prices derived in SQL.
-- The SQL is the macro jquants_daily_bars (macros/staging/), which int_price_observations' daily run
-- also calls on the newest bars only.
{{ jquants_daily_bars() }}
