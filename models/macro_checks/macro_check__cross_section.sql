-- Wrapper for the unit tests of the winsorizing macros, as ml_dataset uses them: the per-date bounds
-- (cross_sectional_bounds) joined back and clipped (clip_to_bounds).
with bounds as ({{ cross_sectional_bounds(ref('int_price_observations'), ['close']) }})

select o.code, o.date, round({{ clip_to_bounds('o.close', 'b.close_lo', 'b.close_hi') }}, 6) as close_w
from {{ ref('int_price_observations') }} as o
inner join bounds as b using (date)
