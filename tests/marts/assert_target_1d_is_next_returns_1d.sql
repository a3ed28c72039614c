-- target_1d(t) = returns_1d(t+1) for the same code (the identity the spec requires). A daily build
-- checks the rows of its scope, which hold every target it completed (macros/incremental/build_scope.sql).
with
    ordered as (
        select code, date, target_1d, lead(returns_1d) over (partition by code order by date) as next_returns_1d
        from {{ build_scoped(ref('ml_dataset')) }}
    )
select *
from ordered
where
    (target_1d is null) <> (next_returns_1d is null)
    or abs(target_1d - next_returns_1d) > 1e-12 * greatest(1.0, abs(next_returns_1d))
