-- Every per-code window of the families after it (returns, RSI, Bollinger, volatility, MA-derived,
-- targets) in one pass: one sort by (code, row_idx) over the rows the flow, EMA and extended families have
-- assembled, instead of one window operator per family. Each family then turns its window columns
-- into features and drops them (macros/features/<family>_features.sql).
{{ feature_windows(ref('int_features__with_extended')) }}
