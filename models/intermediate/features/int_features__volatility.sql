-- depends_on: {{ ref('int_daily_scope') }}  (a daily run's scope)
-- The 20- and 60-row volatility of the one-day returns (annualised) and the volatility regime: the
-- 20-row volatility against the 20th and 80th percentiles of its trailing 252 values.
-- Daily run: the same windows over each code in the run's scope (int_daily_scope): a continued
-- code's new rows with the returns its 60-row windows reach back to, and the stored volatilities
-- its 252-row regime windows reach; a code recomputed whole, all its rows. The regime's quantiles
-- are the same aggregate over the same rows, taken for the new rows only.
-- Apart from the recursion (int_features__long_memory): on 20 years of the full market the two in
-- one query did not fit the default memory limit.
{%- set last_day = last_stored_day() %}
{%- set carry = last_day is not none %}
{%- set volatility_rows = [20, 60] %}  {#- one-day returns per volatility window #}
{%- set regime_rows = 252 %}
{%- set regime_quantiles = [0.2, 0.8] %}  {#- low_vol_flag below the first, high_vol_flag above the second #}
with

    {% if carry -%}
        scope as ({{ daily_scope("date '" ~ last_day ~ "'") }}),

        observations as (  -- estimated at about one row per code (see regrouped)
            {{ regrouped('(' ~ scoped_rows(ref('int_price_observations'), 'scope', volatility_rows | max) ~ ')') | indent(4) }}
        ),
    {%- else %} observations as (select *, 0 as kept_rows from {{ ref('int_price_observations') }}),
    {%- endif %}

    volatility as (
        select
            code,
            date,
            row_idx,
            kept_rows,
            {%- for n in volatility_rows %}
                {#- a day return is NULL on a code's first row only (its prev_close; closes are > 0) #}
                {{ rolling_volatility(relative_change('close', 'prev_close'), n, non_null_from=2) }}
                as volatility_{{ n }}d{{ ',' if not loop.last }}
            {%- endfor %}
        from observations
    ),

    regime_rows as {{ 'materialized' if carry }} (  -- the rows whose volatility is new{{ ', and the stored ones their windows reach' if carry }}
        select *
        from volatility
        where row_idx > kept_rows
        {%- if carry %}
            union all by name
            select code, date, row_idx, kept_rows, volatility_20d, volatility_60d
            from ({{ scoped_rows(this, 'scope', regime_rows - 1) }})
            where kept_rows > 0 and row_idx <= kept_rows
        {%- endif %}
    ),

    {% if carry -%}
        -- a new row's thresholds from its trailing {{ regime_rows }} volatilities, one aggregate per new row:
        -- the window would compute them for every stored row it reads, too
        thresholds as (
            select n.code, n.row_idx, quantile_cont(h.volatility_20d, {{ regime_quantiles }}) as thresholds
            from regime_rows as n
            inner join
                regime_rows as h
                on h.code = n.code
                and h.row_idx between n.row_idx - {{ regime_rows - 1 }} and n.row_idx
            where n.row_idx > n.kept_rows
            group by n.code, n.row_idx
        ),

        regime as (select * from regime_rows inner join thresholds using (code, row_idx))
    {%- else %}
        regime as (  -- both thresholds from one window aggregate
            select *, {{ trailing_quantiles('volatility_20d', regime_quantiles, regime_rows) }} as thresholds
            from regime_rows
        )
    {%- endif %}

select
    code,
    date,
    row_idx,
    volatility_20d,
    volatility_60d,
    {{ threshold_flag('volatility_20d', 'thresholds[2]', '>') }} as high_vol_flag,
    {{ threshold_flag('volatility_20d', 'thresholds[1]', '<') }} as low_vol_flag
from regime
where row_idx > kept_rows
{%- if not carry %}
    order by date, code  -- date order: a daily run's date filters skip whole row groups
{%- endif %}
