-- Row counts across the DAG: every bar with a positive adjusted close is exactly one observation and one
-- ml_dataset row; the extended indicators cover the same rows.
select 'observations' as stage, (select count(*) from {{ ref('int_price_observations') }}) as n,
       (select count(*) from {{ ref('stg_jquants__daily_bars') }} where adj_close > 0) as expected
union all
select 'ml_dataset', (select count(*) from {{ ref('ml_dataset') }}), (select count(*) from {{ ref('int_price_observations') }})
union all
select 'extended', (select count(*) from {{ ref('int_features__extended') }}), (select count(*) from {{ ref('int_price_observations') }})
except
select stage, expected, expected from (
    select 'observations' as stage, (select count(*) from {{ ref('stg_jquants__daily_bars') }} where adj_close > 0) as expected
    union all select 'ml_dataset', (select count(*) from {{ ref('int_price_observations') }})
    union all select 'extended', (select count(*) from {{ ref('int_price_observations') }})
)
