{#-
  Daily bars, one row per (code, date), with split-adjusted prices derived from raw prices and
  AdjFactor (product of the factors of all later rows of the code), so an incremental load stays
  right after a split even though the API's stored Adj* history of earlier rows is then stale.

  The body of stg_jquants__daily_bars. For the daily run of int_price_observations, two filters
  applied to the raw bars before the windows, so it reads what changed instead of windowing the
  whole history: `after` (a date expression) keeps the bars after that day — a bar's adjustment
  depends only on later bars —, `codes` (a query returning codes) keeps those codes' bars.
-#}
{% macro jquants_daily_bars(after=none, codes=none) -%}
    with

        source as (
            select *
            from {{ source('jquants', 'equities_bars_daily') }}
            where
                true
                {%- if after is not none %} and "Date" > {{ after }} {%- endif %}
                {%- if codes is not none %} and "Code" in ({{ codes }}) {%- endif %}
        ),

        deduplicated as (
            select *
            from source
            qualify row_number() over (partition by "Code", "Date" order by "AdjC" is null, "Vo" desc) = 1
        ),

        adjusted as (
            select
                *,
                coalesce(
                    product("AdjFactor") over (
                        partition by "Code" order by "Date" rows between 1 following and unbounded following
                    ),
                    1.0
                ) as cumulative_adjustment
            from deduplicated
        ),

        renamed as (
            select
                -- ids
                cast("Code" as varchar) as code,
                cast("Date" as date) as date,

                -- split-adjusted (current share basis)
                "O" * cumulative_adjustment as adj_open,
                "H" * cumulative_adjustment as adj_high,
                "L" * cumulative_adjustment as adj_low,
                "C" * cumulative_adjustment as adj_close,
                "Vo" / cumulative_adjustment as adj_volume,

                -- as traded
                cast("O" as double) as open_raw,
                cast("H" as double) as high_raw,
                cast("L" as double) as low_raw,
                cast("C" as double) as close_raw,
                cast("Vo" as double) as volume_raw,
                cast("Va" as double) as turnover_value,

                -- corporate actions
                cast(coalesce("AdjFactor", 1.0) as double) as adjustment_factor,
                cast(cumulative_adjustment as double) as cumulative_adjustment,

                -- the API's own back-adjusted values at load time, kept for reconciliation
                cast("AdjO" as double) as api_adj_open,
                cast("AdjH" as double) as api_adj_high,
                cast("AdjL" as double) as api_adj_low,
                cast("AdjC" as double) as api_adj_close,
                cast("AdjVo" as double) as api_adj_volume,

                -- flags
                "UL" = '1' as hit_upper_limit,
                "LL" = '1' as hit_lower_limit,
                "C" is not null as has_trade

            from adjusted
        )

    select *
    from renamed
{%- endmacro %}
