{{ config(materialized='table') }}
-- Purged walk-forward split assignments for ml_dataset: for each fold, every trading date is
-- 'train', 'valid' or 'test', and the 20 trading days (the longest target horizon) before each
-- valid and test block are left out (embargo), so no training row's target overlaps a later block.
-- Fold k tests the k-th of the last `folds` blocks of `window` trading days; its validation block
-- is the window before the test block (after an embargo); training is everything before that.
{%- set folds = var('walk_forward_folds', 5) %}
{%- set window = var('walk_forward_window', 63) %}
{%- set embargo = var('walk_forward_embargo', 20) %}

with

    dates as (
        select date, row_number() over (order by date) as day_number, count(*) over () as n_days
        from (select distinct date from {{ ref('ml_dataset') }})
    ),

    folds as (
        select fold, n_days - ({{ folds }} - fold + 1) * {{ window }} + 1 as test_start
        from (select distinct n_days from dates)
        cross join range(1, {{ folds }} + 1) as f(fold)
    ),

    bounds as (
        select
            fold,
            test_start,
            test_start + {{ window }} - 1 as test_end,
            test_start - {{ embargo }} - {{ window }} as valid_start,
            test_start - {{ embargo }} - 1 as valid_end,
            test_start - 2 * {{ embargo }} - {{ window }} - 1 as train_end
        from folds
    )

select
    cast(bounds.fold as integer) as fold,
    dates.date,
    case
        when dates.day_number <= bounds.train_end
        then 'train'
        when dates.day_number between bounds.valid_start and bounds.valid_end
        then 'valid'
        when dates.day_number between bounds.test_start and bounds.test_end
        then 'test'
    end as split
from bounds
join
    dates
    on dates.day_number <= bounds.train_end
    or dates.day_number between bounds.valid_start and bounds.valid_end
    or dates.day_number between bounds.test_start and bounds.test_end
where bounds.train_end >= 1
