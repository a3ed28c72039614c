{{ config(materialized='table') }}
-- The weekly investor-type signal per Section on every trading day, as it was known that day.
select *
from {{ ref('int_investor_flows_daily') }}
