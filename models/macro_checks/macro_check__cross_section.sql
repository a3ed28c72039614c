-- Wrapper for the unit tests of cross_sectional_winsorize.
select
    code,
    date,
    round({{ cross_sectional_winsorize('close') }}, 6) as close_w
from {{ ref('int_price_observations') }}
