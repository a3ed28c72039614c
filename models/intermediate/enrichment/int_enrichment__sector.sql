{{ config(materialized='view') }}  {#- read once, by int_enrichment__blocks #}
-- Sector block: the stock's 33-industry sector as of each
-- date (point-in-time listing), the sector's equal-weight median return, its 5-day compounded return
-- and volatility, and the stock's position within its sector that day.
with

    features as (select code, date, returns_1d, returns_5d, volatility_20d from {{ ref('ml_dataset') }}),

    with_sector as (
        select f.*, {{ listing_in_force('sector33_code', 'listing', 'f.date') }} as sector33_code
        from
            features as f
            {{ asof_join(ref('int_listed_issues_pit'), 'listing', ['code'], 'date', 'valid_from', left_alias='f') }}
    ),

    sector_days as (
        select
            sector33_code,
            date,
            median(returns_1d) as sec_ret_1d_eq,
            cast(count(*) as integer) as sec_member_cnt,
            avg(returns_5d) as sec_mean_returns_5d,
            stddev_samp(returns_5d) as sec_std_returns_5d,
            avg(volatility_20d) as sec_mean_volatility_20d,
            stddev_samp(volatility_20d) as sec_std_volatility_20d
        from with_sector
        where sector33_code is not null
        group by sector33_code, date
    ),

    sector_series as (
        select *, cast(row_number() over (partition by sector33_code order by date) as integer) as sector_day
        from sector_days
    ),

    sector_windows as (
        select
            *,
            case
                when count(sec_ret_1d_eq) over w5 = 5 then exp(sum(ln(1 + sec_ret_1d_eq)) over w5) - 1
            end as sec_ret_5d_eq,
            {{ rolling_volatility('sec_ret_1d_eq', 20, order_by='sector_day', partition_by='sector33_code') }}
            as sec_vol_20d
        from sector_series
        window w5 as (partition by sector33_code order by sector_day rows between 4 preceding and current row)
    )

select
    s.code,
    s.date,
    s.sector33_code,
    w.sec_ret_1d_eq,
    w.sec_ret_5d_eq,
    w.sec_vol_20d,
    s.returns_5d - w.sec_ret_5d_eq as rel_to_sec_5d,
    {{ safe_divide('s.returns_5d - w.sec_mean_returns_5d', 'w.sec_std_returns_5d') }} as z_in_sec_returns_5d,
    {{ safe_divide('s.volatility_20d - w.sec_mean_volatility_20d', 'w.sec_std_volatility_20d') }}
    as z_in_sec_volatility_20d,
    coalesce(w.sec_member_cnt, 0) as sec_member_cnt,
    case when coalesce(w.sec_member_cnt, 0) >= 3 then 1 else 0 end as is_sec_valid
from with_sector as s
left join sector_windows as w on w.sector33_code = s.sector33_code and w.date = s.date
