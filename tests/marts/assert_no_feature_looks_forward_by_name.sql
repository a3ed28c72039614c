-- Only the seven target columns may look forward: no other column of the ML marts is named like a
-- target, a forward or a lead value.
select table_name, column_name
from information_schema.columns
where
    table_schema = '{{ target.schema }}'
    and table_name in ('ml_dataset', 'ml_dataset_enriched')
    and regexp_matches(lower(column_name), 'target|forward|lead|future|next')
    and column_name not in (
        'target_1d',
        'target_5d',
        'target_10d',
        'target_20d',
        'target_1d_binary',
        'target_5d_binary',
        'target_10d_binary'
    )
    -- both marts as dependencies, so that the test runs after them (counting the enriched view's rows
    -- for that joined it whole: 1.2 s of a daily build on the full market)
    -- depends_on: {{ ref('ml_dataset') }}
    -- depends_on: {{ ref('ml_dataset_enriched') }}
