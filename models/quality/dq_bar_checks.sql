{{ config(
    materialized='incremental',
    unique_key=['date'],
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    post_hook="{{ store_checked_through(this) }}"
) }}
-- Row-level checks of the daily bar feed: one row per (code, date, check) that fires. Reads
-- staging, so a bad bar is caught before it reaches a feature (int_price_observations drops
-- non-positive closes; everything else flows on and is flagged here).
--
-- Daily run (incremental): the bars of the days after the last checked one (`checked_through`,
-- the table comment its post-hook writes), with each code's traded bars of the `dq_history_days`
-- (120) days before as history — the 20-bar volume window and the previous close need 21 — or its
-- whole history when those are fewer. A check looks only backwards, so a new day changes no stored row. The length
-- of a run of unchanged closes continues from the state row (the code's last checked bar): its
-- stored stale_close value, or, when it had none (a run under dq_stale_observations), the run
-- counted in the history rows. After int_price_observations, whose daily run stops a build whose
-- past bars were re-loaded with other values (assert_past_bars_unchanged).
-- depends_on: {{ ref('int_price_observations') }}
-- depends_on: {{ source('jquants', 'equities_bars_daily') }}
{%- set checked_through = stored_table_notes(this).get('checked_through') if is_incremental() and execute else none %}
{%- set history_days = var('dq_history_days') %}
with

    {% if checked_through is none -%}
        bars as (
            select *, false as is_history, cast(null as double) as carried_run
            from {{ ref('stg_jquants__daily_bars') }}
            where has_trade
        ),
    {%- else -%}
        {%- set last_day = "date '" ~ checked_through ~ "'" %}
        recent_bars as (  -- the new days and the history days before them (adjusted within the span: a
            -- bar's adjustment reads only later bars)
            select *
            from ({{ jquants_daily_bars(after=last_day ~ " - interval " ~ history_days ~ " day") }})
            where has_trade
        ),

        whole_codes as (  -- codes with new bars but fewer than 21 traded bars of history in the span
            select code
            from recent_bars
            group by code
            having
                count(*) filter (where date > {{ last_day }}) > 0
                and count(*) filter (where date <= {{ last_day }}) < 21
        ),

        state as (  -- each continued code's last checked bar and the run of unchanged closes stored with it
            select s.code, s.date, stale.value as carried_run
            from
                (
                    select code, max(date) as date
                    from recent_bars
                    where date <= {{ last_day }} and code not in (select code from whole_codes)
                    group by code
                ) as s
            left join
                {{ this }} as stale
                on stale.code = s.code
                and stale.date = s.date
                and stale.check_name = 'stale_close'
                and stale.date > {{ last_day }} - interval {{ history_days }} day
        ),

        bars as (
            select r.*, r.date <= {{ last_day }} as is_history, state.carried_run
            from recent_bars as r
            inner join state using (code)
            where r.code in (select code from recent_bars where date > {{ last_day }})
            union all by name
            select *, date <= {{ last_day }} as is_history, cast(null as double) as carried_run
            from ({{ jquants_daily_bars(codes='select code from whole_codes') }})
            where has_trade
        ),
    {%- endif %}

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
            is_history,
            carried_run,
            row_number() over by_code as observation,
            lag(close_raw) over by_code as previous_close_raw,
            -- log volume on the current share basis against its mean over the code's previous 20
            -- observations (a geometric mean: a streaming window, and splits do not count)
            ln(nullif(adj_volume, 0)) - avg(ln(nullif(adj_volume, 0))) over previous_20 as log_volume_surprise,
            count(nullif(adj_volume, 0)) over previous_20 as volume_history
        from bars
        window
            by_code as (partition by code order by date),
            previous_20 as (partition by code order by date rows between 20 preceding and 1 preceding)
    ),

    measured as materialized(  -- read twice below, by the per-day medians and by the checks
        select
            *,
            -- observations since the last one that changed the close or traded nothing (a run of
            -- unchanged closes with volume starts there): one running max in the same sort. In a daily
            -- run, a run that no row after the state row ends continues the state row's stored length;
            -- without one (a run under dq_stale_observations) it began within the ≥ 21 history rows.
            case
                when carried_run is null or last_run_end > state_observation
                then observation - last_run_end
                else cast(carried_run as bigint) + (observation - state_observation)
            end as unchanged_observations,
            close_raw / nullif(previous_close_raw, 0) - 1 as raw_return
        from
            (
                select
                    *,
                    max(
                        case when close_raw = previous_close_raw and volume_raw > 0 then null else observation end
                    ) over (partition by code order by date rows unbounded preceding) as last_run_end,
                    {{ 'max(case when is_history then observation end) over (partition by code)' if checked_through is not none
               else 'cast(null as bigint)' }}
                    as state_observation  -- a full refresh has no state row
                from sequenced
            )
    ),

    -- the robust z's centre and scale per day, as grouped aggregates (two window medians partitioned
    -- by date each sorted every bar)
    surprise_median as (
        select date, median(log_volume_surprise) as surprise_median from measured where not is_history group by date
    ),

    surprise_scale as (  -- the day's median and median absolute deviation
        select m.date, d.surprise_median, median(abs(m.log_volume_surprise - d.surprise_median)) as surprise_mad
        from measured as m
        inner join surprise_median as d using (date)
        where not m.is_history
        group by m.date, d.surprise_median
    ),

    surprise_robust as (
        select
            m.*, abs(m.log_volume_surprise - s.surprise_median) / nullif(1.4826 * s.surprise_mad, 0) as volume_robust_z
        from measured as m
        inner join surprise_scale as s using (date)
    ),

    checked as (
        select
            *,
            low_raw > least(open_raw, close_raw)
            or high_raw < greatest(open_raw, close_raw)
            or low_raw > high_raw as is_ohlc_violation,
            least(open_raw, high_raw, low_raw, close_raw) <= 0 as is_non_positive,
            adjustment_factor = 1 and abs(raw_return) > {{ var('dq_jump_threshold') }} as is_unexplained_jump,
            unchanged_observations >= {{ var('dq_stale_observations') }} as is_stale,
            volume_history = 20 and volume_robust_z > {{ var('dq_robust_z_threshold') }} as is_volume_outlier
        from surprise_robust
    ),

    flagged as materialized(
        -- computed once; the five checks below read only the few rows something fired on
        select *
        from checked
        where is_ohlc_violation or is_non_positive or is_unexplained_jump or is_stale or is_volume_outlier
    )

select
    code,
    date,
    'ohlc_violation' as check_name,
    greatest(least(open_raw, close_raw) - low_raw, high_raw - greatest(open_raw, close_raw)) * -1 as value,
    format('O {} H {} L {} C {}', open_raw, high_raw, low_raw, close_raw) as detail
from flagged
where is_ohlc_violation

union all
select
    code,
    date,
    'non_positive_price',
    least(open_raw, high_raw, low_raw, close_raw),
    format('O {} H {} L {} C {}', open_raw, high_raw, low_raw, close_raw)
from flagged
where is_non_positive

union all
select
    code,
    date,
    'unexplained_jump',
    raw_return,
    format('close {} after {} ({:+.1f}%) with AdjFactor 1', close_raw, previous_close_raw, 100 * raw_return)
from flagged
where is_unexplained_jump

union all
select
    code,
    date,
    'stale_close',
    unchanged_observations,
    format('close {} unchanged for {} observations with volume', close_raw, unchanged_observations)
from flagged
where is_stale

union all
select
    code,
    date,
    'volume_outlier',
    volume_robust_z,
    format(
        'volume {:.0f} is {:.0f}× its 20-day geometric mean; robust z {:.1f}',
        volume_raw,
        exp(log_volume_surprise),
        volume_robust_z
    )
from flagged
where is_volume_outlier
