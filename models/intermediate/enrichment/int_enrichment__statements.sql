{{ config(
    materialized='incremental',
    unique_key=['code', 'date'],
    incremental_strategy='delete+insert',
    on_schema_change='fail'
) }}
-- Statements block: for every observation, the financial
-- statement facts as of that date, each taken from releases already usable then
-- (int_statements_availability). Earnings releases give the actuals; forecasts come from releases
-- and forecast revisions; several releases usable on one day: the highest disclosure number wins.
--
-- A table, not a view like the other blocks: its data tests (and the leakage test) read it in
-- every `dbt build`, and each would re-derive a view's as-of joins over every observation.
-- Daily run (incremental): the observations after the last stored day, like int_enrichment__blocks;
-- a row uses only releases usable by its own day, so a new day changes no stored row.
{%- set last_day = last_stored_day() %}
with

    observations as (
        select code, date
        from {{ ref('int_price_observations') }}
        {%- if last_day is not none %} where date > date '{{ last_day }}' {%- endif %}
    ),

    statements as (select * from {{ ref('int_statements_availability') }} where available_date is not null),

    releases as (  -- earnings releases, one per (code, usable day): the highest disclosure number
        select *
        from statements
        where document_type like '%FinancialStatements%'
        qualify row_number() over (partition by code, available_date order by disclosure_number desc) = 1
    ),

    with_prior_year as (
        select
            r.*,
            prior.net_sales as prior_net_sales,
            prior.operating_profit as prior_operating_profit,
            prior.profit as prior_profit
        from releases r
        left join
            lateral(
                select p.net_sales, p.operating_profit, p.profit
                from releases p
                where
                    p.code = r.code
                    and p.period_type = r.period_type
                    and p.fiscal_year_start = r.fiscal_year_start - interval 1 year
                    and p.available_date <= r.available_date
                order by p.disclosure_number desc
                limit 1
            ) as prior
            on true
    ),

    forecast_events as (  -- every usable forecast, attributed to the fiscal year it is for
        select
            code,
            available_date,
            disclosure_number,
            fiscal_year_start as forecast_year,
            forecast_operating_profit as f_op,
            forecast_profit as f_np,
            forecast_eps as f_eps
        from statements
        where
            document_type not like 'FY%'
            and coalesce(forecast_operating_profit, forecast_profit, forecast_eps) is not null
        union all
        select
            code,
            available_date,
            disclosure_number,
            cast(fiscal_year_end + interval 1 day as date) as forecast_year,
            next_year_forecast_operating_profit,
            next_year_forecast_profit,
            next_year_forecast_eps
        from statements
        where
            document_type like 'FY%'
            and coalesce(next_year_forecast_operating_profit, next_year_forecast_profit, next_year_forecast_eps)
            is not null
    ),

    usable_forecasts as (  -- one per (code, usable day): the highest disclosure number
        select *
        from forecast_events
        qualify row_number() over (partition by code, available_date order by disclosure_number desc) = 1
    ),

    revisions as (  -- each forecast against the previous usable one for the same fiscal year
        select *, lag(f_op) over w as prev_f_op, lag(f_np) over w as prev_f_np, lag(f_eps) over w as prev_f_eps
        from usable_forecasts
        window w as (partition by code, forecast_year order by available_date, disclosure_number)
    ),

    calendar as (select calendar_date, trading_day_number from {{ ref('int_trading_calendar') }} where is_trading_day),

    statement_days as (  -- the days a release or a forecast became usable, per code
        select code, available_date
        from with_prior_year
        union
        select code, available_date
        from revisions
    ),

    facts_by_day as (  -- the release and the forecast in force on each of those days
        select
            d.code,
            d.available_date as fact_date,
            r.available_date,
            r.disclosure_number,
            r.net_sales,
            r.operating_profit,
            r.profit,
            r.total_assets,
            r.equity,
            r.prior_net_sales,
            r.prior_operating_profit,
            r.prior_profit,
            r.fiscal_year_start,
            f.forecast_year,
            f.f_op,
            f.f_np,
            f.f_eps,
            f.prev_f_op,
            f.prev_f_np,
            f.prev_f_eps
        from
            statement_days as d
            {{ asof_join('with_prior_year', 'r', ['code'], 'available_date', 'available_date', left_alias='d') }}
            {{ asof_join('revisions', 'f', ['code'], 'available_date', 'available_date', left_alias='d') }}
    ),

    with_forecast as (  -- one as-of join of the observations, not one per fact table: the latest
        -- such day on or before a date has both facts in force that date
        select o.code, o.date, s.* exclude (code, fact_date)
        from observations as o {{ asof_join('facts_by_day', 's', ['code'], 'date', 'fact_date', left_alias='o') }}
    )

select
    w.code,
    w.date,
    {{ safe_divide('w.net_sales - w.prior_net_sales', 'abs(w.prior_net_sales)') }} as stmt_yoy_sales,
    {{ safe_divide('w.operating_profit - w.prior_operating_profit', 'abs(w.prior_operating_profit)') }} as stmt_yoy_op,
    {{ safe_divide('w.profit - w.prior_profit', 'abs(w.prior_profit)') }} as stmt_yoy_np,
    {{ safe_divide('w.operating_profit', 'w.net_sales') }} as stmt_opm,
    {{ safe_divide('w.profit', 'w.net_sales') }} as stmt_npm,
    -- progress against the forecast for the release's own fiscal year, as known that day
    case
        when w.forecast_year = w.fiscal_year_start then {{ safe_divide('w.operating_profit', 'w.f_op') }}
    end as stmt_progress_op,
    case
        when w.forecast_year = w.fiscal_year_start then {{ safe_divide('w.profit', 'w.f_np') }}
    end as stmt_progress_np,
    {{ safe_divide('w.f_op - w.prev_f_op', 'abs(w.prev_f_op)') }} as stmt_rev_fore_op,
    {{ safe_divide('w.f_np - w.prev_f_np', 'abs(w.prev_f_np)') }} as stmt_rev_fore_np,
    {{ safe_divide('w.f_eps - w.prev_f_eps', 'abs(w.prev_f_eps)') }} as stmt_rev_fore_eps,
    {{ safe_divide('w.profit', 'w.equity') }} as stmt_roe,
    {{ safe_divide('w.profit', 'w.total_assets') }} as stmt_roa,
    cast(today.trading_day_number - usable.trading_day_number as integer) as stmt_days_since,
    case when w.available_date is null then 0 when w.available_date = w.date then 1 else 0 end as stmt_impulse,
    case when w.available_date is null then 0 else 1 end as is_stmt_valid,
    w.available_date as stmt_available_date,
    w.disclosure_number as stmt_disclosure_number
from with_forecast as w
left join calendar as today on today.calendar_date = w.date
left join calendar as usable on usable.calendar_date = w.available_date
{%- if last_day is none %}
    order by w.date, w.code  -- date order: a daily run's date filter skips whole row groups
{%- endif %}
