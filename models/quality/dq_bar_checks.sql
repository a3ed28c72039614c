-- Row-level checks of the daily bar feed: one row per (code, date, check) that fires. Reads
-- staging, so a bad bar is caught before it reaches a feature (int_price_observations drops
-- non-positive closes; everything else flows on and is flagged here).
with

bars as (
    select * from {{ ref('stg_jquants__daily_bars') }}
    where has_trade
),

sequenced as (
    select
        code,
        date,
        open_raw,
        high_raw,
        low_raw,
        close_raw,
        volume_raw,
        adjustment_factor,
        row_number() over by_code                                                as observation,
        lag(close_raw) over by_code                                              as previous_close_raw,
        -- log volume on the current share basis against its mean over the code's previous 20
        -- observations (a geometric mean: a streaming window, and splits do not count)
        ln(nullif(adj_volume, 0)) - avg(ln(nullif(adj_volume, 0))) over previous_20               as log_volume_surprise,
        count(nullif(adj_volume, 0)) over previous_20                                              as volume_history
    from bars
    window
        by_code as (partition by code order by date),
        previous_20 as (partition by code order by date rows between 20 preceding and 1 preceding)
),

measured as materialized (  -- read twice below, by the per-day medians and by the checks
    select
        *,
        -- observations since the last one that changed the close or traded nothing (a run of
        -- unchanged closes with volume starts there): one running max in the same sort
        observation - max(case when close_raw = previous_close_raw and volume_raw > 0 then null else observation end)
            over (partition by code order by date rows unbounded preceding)      as unchanged_observations,
        close_raw / nullif(previous_close_raw, 0) - 1                            as raw_return
    from sequenced
),

-- the robust z's centre and scale per day, as grouped aggregates (two window medians partitioned
-- by date each sorted every bar)
surprise_median as (
    select date, median(log_volume_surprise) as surprise_median
    from measured
    group by date
),

surprise_scale as (  -- the day's median and median absolute deviation
    select m.date, d.surprise_median, median(abs(m.log_volume_surprise - d.surprise_median)) as surprise_mad
    from measured as m
    inner join surprise_median as d using (date)
    group by m.date, d.surprise_median
),

surprise_robust as (
    select
        m.*,
        abs(m.log_volume_surprise - s.surprise_median) / nullif(1.4826 * s.surprise_mad, 0) as volume_robust_z
    from measured as m
    inner join surprise_scale as s using (date)
),

checked as (
    select
        *,
        low_raw > least(open_raw, close_raw) or high_raw < greatest(open_raw, close_raw) or low_raw > high_raw
                                                                                 as is_ohlc_violation,
        least(open_raw, high_raw, low_raw, close_raw) <= 0                       as is_non_positive,
        adjustment_factor = 1 and abs(raw_return) > {{ var('dq_jump_threshold') }} as is_unexplained_jump,
        unchanged_observations >= {{ var('dq_stale_observations') }}             as is_stale,
        volume_history = 20 and volume_robust_z > {{ var('dq_robust_z_threshold') }} as is_volume_outlier
    from surprise_robust
),

flagged as materialized (
    -- computed once; the five checks below read only the few rows something fired on
    select * from checked
    where is_ohlc_violation or is_non_positive or is_unexplained_jump or is_stale or is_volume_outlier
)

select code, date, 'ohlc_violation' as check_name,
       greatest(least(open_raw, close_raw) - low_raw, high_raw - greatest(open_raw, close_raw)) * -1 as value,
       format('O {} H {} L {} C {}', open_raw, high_raw, low_raw, close_raw) as detail
from flagged
where is_ohlc_violation

union all
select code, date, 'non_positive_price', least(open_raw, high_raw, low_raw, close_raw),
       format('O {} H {} L {} C {}', open_raw, high_raw, low_raw, close_raw)
from flagged
where is_non_positive

union all
select code, date, 'unexplained_jump', raw_return,
       format('close {} after {} ({:+.1f}%) with AdjFactor 1', close_raw, previous_close_raw, 100 * raw_return)
from flagged
where is_unexplained_jump

union all
select code, date, 'stale_close', unchanged_observations,
       format('close {} unchanged for {} observations with volume', close_raw, unchanged_observations)
from flagged
where is_stale

union all
select code, date, 'volume_outlier', volume_robust_z,
       format('volume {:.0f} is {:.0f}× its 20-day geometric mean; robust z {:.1f}', volume_raw, exp(log_volume_surprise), volume_robust_z)
from flagged
where is_volume_outlier
