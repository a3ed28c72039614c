-- ml_dataset_enriched has exactly ml_dataset's rows: same count, same (code, date) keys.
select 'missing in enriched' as problem, code, date from {{ ref('ml_dataset') }}
except select 'missing in enriched', code, date from {{ ref('ml_dataset_enriched') }}
union all
select 'extra in enriched', code, date from {{ ref('ml_dataset_enriched') }}
except select 'extra in enriched', code, date from {{ ref('ml_dataset') }}
union all
select 'row count differs', null, null
where (select count(*) from {{ ref('ml_dataset') }}) <> (select count(*) from {{ ref('ml_dataset_enriched') }})
