{{ config(materialized='view') }}
-- ml_dataset plus the point-in-time statement, market, sector and cross-sectional blocks
-- (feature-spec, "Enrichment mart"). Same grain and row count as ml_dataset. A view: the blocks
-- are stored once in int_enrichment__blocks and ml_dataset's columns are not copied (a full
-- read costs one join on (code, date)).
select
    base.*,
    blocks.* exclude (code, date)
from {{ ref('ml_dataset') }} as base
left join {{ ref('int_enrichment__blocks') }} as blocks using (code, date)
