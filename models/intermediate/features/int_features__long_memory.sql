-- depends_on: {{ ref('int_daily_scope') }}  (a daily run's scope)
-- The exact recursive smoothings, one recursive CTE: the EMAs 5/10/12/20/26/60/200, the MACD signal
-- (EMA 9 of EMA 12 − EMA 26) and Wilder's gain and loss means of RSI 14 and 2. Each code starts at
-- its first observation and steps one observation at a time (ema_step, wilder_step), exactly as
-- pandas and TA-Lib do; a Wilder mean holds the running sum of the changes until its seed row
-- (n + 1: their mean), NULL in the output until then.
-- Daily run: each code in the run's scope (int_daily_scope) continues from its stored row at
-- kept_rows — the recursion's state — over its new observations; a code recomputed whole, or one
-- still in Wilder's warm-up (the stored rows keep no running sums), starts at its first row again.
{%- set last_day = last_stored_day() %}
{%- set carry = last_day is not none %}
{%- set ema_spans = [5, 10, 12, 20, 26, 60, 200] %}
{%- set wilder_periods = [14, 2] %}
{%- set wilder_sides = [('gain', rsi_gain), ('loss', rsi_loss)] %}
{%- set wilder_means = [] %}
{%- for n in wilder_periods %}
    {% for side, _ in wilder_sides %} {% do wilder_means.append('rsi_' ~ n ~ '_' ~ side) %} {% endfor %}
{% endfor %}
with recursive

    {% if carry -%}
        candidates as (  -- the run's codes, continued only past Wilder's warm-up
            select code, case when kept_rows > {{ (wilder_periods | max) + 1 }} then kept_rows else 0 end as kept_rows
            from ({{ daily_scope("date '" ~ last_day ~ "'") }})
        ),

        carried as (  -- each continued code's state: its stored row at kept_rows
            select stored.* exclude (kept_rows)
            from ({{ scoped_rows(this, 'candidates', 1) }}) as stored
            where stored.kept_rows > 0 and stored.row_idx = stored.kept_rows
        ),

        scope as (  -- a code without its state row (none stored) is recomputed whole too
            select c.code, coalesce(carried.row_idx, 0) as kept_rows from candidates as c left join carried using (code)
        ),

        observations as materialized(  -- the rows the run steps through: the state rows on, a recomputed code's all
            {{ scoped_rows(ref('int_price_observations'), 'scope', 1) }}
        ),

    {% endif -%}
    anchors as (  -- where each code's recursion starts: its first observation, or a carried code's state row
        select
            code,
            date,
            row_idx,
            false as is_state,
            {%- for span in ema_spans %}
                close as ema_{{ span }},  -- pandas seeds an EMA with the first value
            {%- endfor %}
            {%- for mean in wilder_means %}
                cast(0 as double) as {{ mean }},  -- the running sum: row 1 has no change
            {%- endfor %}
            cast(0 as double) as macd_signal  -- EMA 12 − EMA 26 on the first row: the signal's seed
        from {{ 'observations' if carry else ref('int_price_observations') }}
        where row_idx = 1
        {%- if carry %}
            union all by name
            select
                code,
                date,
                row_idx,
                true as is_state,
                {%- for span in ema_spans %} ema_{{ span }},{% endfor %}
                {%- for mean in wilder_means %} {{ mean }},{% endfor %}
                macd_signal
            from carried
        {%- endif %}
    ),

    smoothed as (  -- one observation per step, joined on (code, row_idx + 1)
        select *
        from anchors
        union all
        select
            o.code,
            o.date,
            o.row_idx,
            false as is_state,
            {%- for span in ema_spans %}
                {{ ema_step('o.close', 's.ema_' ~ span, span) }} as ema_{{ span }},
            {%- endfor %}
            {%- for n in wilder_periods %}
                {%- for side, value in wilder_sides %}
                    {{ wilder_step(value('o.close - o.prev_close'), 's.rsi_' ~ n ~ '_' ~ side, n, 'o.row_idx') }}
                    as rsi_{{ n }}_{{ side }},
                {%- endfor %}
            {%- endfor %}
            {{ ema_step('(' ~ ema_step('o.close', 's.ema_12', 12) ~ ') - (' ~ ema_step('o.close', 's.ema_26', 26) ~ ')',
                    's.macd_signal', 9) }} as macd_signal
        from smoothed as s
        {#- a daily run steps through its own rows (joining the whole table at each step scans it) #}
        inner join
            {{ 'observations' if carry else ref('int_price_observations') }} as o
            on o.code = s.code
            and o.row_idx = s.row_idx + 1
    )

select
    code,
    date,
    row_idx,
    {%- for span in ema_spans %} ema_{{ span }}, {%- endfor %}
    {%- for n in wilder_periods %}
        {%- for side, _ in wilder_sides %}
            case when row_idx > {{ n }} then rsi_{{ n }}_{{ side }} end as rsi_{{ n }}_{{ side }},  -- a running sum before
        {%- endfor %}
    {%- endfor %}
    macd_signal
from smoothed
where not is_state
{%- if not carry %}
    order by date, code  -- date order: a daily run's date filters skip whole row groups
{%- endif %}
