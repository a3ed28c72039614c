-- Wrapper for the unit test of regrouped: the same rows and columns back.
{{ regrouped(ref('int_price_observations')) }}
