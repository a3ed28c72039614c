{{ config(materialized='view') }}  {#- read once, by int_enrichment__blocks #}
-- Stock-versus-market block: 60-observation beta to TOPIX
-- (same-day market return), alphas, relative strength and idiosyncratic volatility ratio.
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
    from {{ ref('ml_dataset') }} as f
    left join {{ ref('int_enrichment__market') }} as m using (date)
),

betas as (
    select
        *,
        case when regr_count(returns_1d, mkt_ret_1d) over w60 = 60
             then covar_samp(returns_1d, mkt_ret_1d) over w60 / nullif(var_samp(mkt_ret_1d) over w60, 0) end as beta_60d
    from joined
    window w60 as (partition by code order by row_idx rows between 59 preceding and current row)
)

select
    code,
    date,
    beta_60d,
    returns_1d - beta_60d * mkt_ret_1d                          as alpha_1d,
    returns_5d - beta_60d * mkt_ret_5d                          as alpha_5d,
    returns_20d - mkt_ret_20d                                   as rel_strength_20d,
    {{ safe_divide('volatility_20d', 'mkt_vol_20d') }}          as idio_vol_ratio,
    case when beta_60d is not null then 1 else 0 end            as is_beta_valid
from betas
