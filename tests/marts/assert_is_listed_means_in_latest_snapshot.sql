-- dim_listed_companies.is_listed, recomputed from the staged listing snapshots: a code is listed
-- exactly when the master's latest snapshot holds it (a delisted code is not).
with
    latest as (
        select distinct code
        from {{ ref('stg_jquants__listed_issues') }}
        where snapshot_date = (select max(snapshot_date) from {{ ref('stg_jquants__listed_issues') }})
    )

select d.code, d.is_listed
from {{ ref('dim_listed_companies') }} as d
where d.is_listed <> (d.code in (select code from latest))
