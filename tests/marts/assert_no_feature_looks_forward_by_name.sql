-- Only the seven target columns may look forward: no other column of the ML marts is named like a
-- target, a forward or a lead value.
select table_name, column_name
from information_schema.columns
where table_schema = '{{ target.schema }}'
  and table_name in ('ml_dataset', 'ml_dataset_enriched')
  and regexp_matches(lower(column_name), 'target|forward|lead|future|next')
  and column_name not in ('target_1d', 'target_5d', 'target_10d', 'target_20d',
                          'target_1d_binary', 'target_5d_binary', 'target_10d_binary')
-- reference both marts so the test runs after them
  and (select count(*) from {{ ref('ml_dataset') }}) >= 0
  and (select count(*) from {{ ref('ml_dataset_enriched') }}) >= 0
