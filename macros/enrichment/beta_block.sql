{#- The stock-versus-market block (int_enrichment__beta) as a query over `features` (ml_dataset's code,
    date, row_idx, returns and volatility_20d; every row of a code from 59 rows before the first one
    wanted, which is all a 60-row beta reads) and `market` (int_enrichment__market). The view runs it
    on ml_dataset; int_enrichment__blocks' daily run on the new rows and their 59 predecessors. -#}
{% macro beta_block(features, market) -%}
    with

        joined as (
            select
                f.code,
                f.date,
                f.row_idx,
                f.returns_1d,
                f.returns_5d,
                f.returns_20d,
                f.volatility_20d,
                m.mkt_ret_1d,
                m.mkt_ret_5d,
                m.mkt_ret_20d,
                m.mkt_vol_20d
            from {{ features }} as f
            left join {{ market }} as m using (date)
        ),

        betas as (
            select
                *,
                -- regr_slope is covar_samp / var_samp (the n − 1 cancels) from one aggregate state instead
                -- of two (the same value within 5e-16 relative, one aggregate less per window); a
                -- flat market makes it 0/0 = NaN, which is NULL here like the division by nullif(var, 0)
                case
                    when regr_count(returns_1d, mkt_ret_1d) over w60 = {{ beta_rows() }}
                    then nullif(regr_slope(returns_1d, mkt_ret_1d) over w60, 'NaN'::double)
                end as beta_60d
            from joined
            window
                w60 as (partition by code order by row_idx rows between {{ beta_rows() - 1 }} preceding and current row)
        )

    select
        code,
        date,
        beta_60d,
        returns_1d - beta_60d * mkt_ret_1d as alpha_1d,
        returns_5d - beta_60d * mkt_ret_5d as alpha_5d,
        returns_20d - mkt_ret_20d as rel_strength_20d,
        {{ safe_divide('volatility_20d', 'mkt_vol_20d') }} as idio_vol_ratio,
        case when beta_60d is not null then 1 else 0 end as is_beta_valid
    from betas
{%- endmacro %}
