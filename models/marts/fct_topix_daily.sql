{{ config(materialized='table') }}
-- TOPIX per trading day with its daily return.
select date, open, high, low, close, close / nullif(lag(close) over (order by date), 0) - 1 as return_1d
from {{ ref('stg_jquants__topix') }}
