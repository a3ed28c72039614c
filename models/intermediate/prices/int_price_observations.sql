{{ config(materialized='table') }}
-- Observations: the (code, date) rows with an adjusted close, numbered per code. Every window
-- of the feature models counts these rows ("t - h" = h observations earlier), as a per-stock
-- TA library would. Days without trades stay in staging but are not observations, nor is a
-- close of 0 or less (unusable; models/quality flags it as an error).
select
    code,
    date,
    adj_open                                                     as open,
    adj_high                                                     as high,
    adj_low                                                      as low,
    adj_close                                                    as close,
    adj_volume                                                   as volume,
    turnover_value,
    cast(row_number() over (partition by code order by date) as integer) as row_idx,
    lag(adj_close) over (partition by code order by date)        as prev_close
from {{ ref('stg_jquants__daily_bars') }}
where adj_close > 0
