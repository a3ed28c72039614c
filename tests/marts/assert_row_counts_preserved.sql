-- Row counts across the DAG: every bar with a positive adjusted close is exactly one observation and one
-- ml_dataset row; the extended indicators cover the same rows. Each count is taken once (the staging
-- view's windows over every bar are the costly one); a failing row shows all four. A daily build
-- counts the rows of its scope (macros/incremental/build_scope.sql), the same days and codes in each.
with
    counts as (
        select
            (
                select count(*) from {{ build_scoped(ref('stg_jquants__daily_bars')) }} where adj_close > 0
            ) as bars_with_close,
            (select count(*) from {{ build_scoped(ref('int_price_observations')) }}) as observations,
            (select count(*) from {{ build_scoped(ref('ml_dataset')) }}) as ml_dataset_rows,
            (select count(*) from {{ build_scoped(ref('int_features__extended')) }}) as extended_rows
    )

select *
from counts
where observations <> bars_with_close or ml_dataset_rows <> observations or extended_rows <> observations
