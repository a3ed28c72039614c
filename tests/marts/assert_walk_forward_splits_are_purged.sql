-- Within a fold, every train date lies more than the embargo (20 trading days) before the first
-- valid date, and every valid date more than 20 trading days before the first test date; blocks
-- are in time order and do not overlap.
with

    numbered as (
        select s.*, d.day_number
        from {{ ref('ml_walk_forward_splits') }} s
        join
            (
                select date, row_number() over (order by date) as day_number
                from (select distinct date from {{ ref('ml_dataset') }})
            ) d using (date)
    ),

    per_fold as (
        select
            fold,
            max(day_number) filter (where split = 'train') as train_last,
            min(day_number) filter (where split = 'valid') as valid_first,
            max(day_number) filter (where split = 'valid') as valid_last,
            min(day_number) filter (where split = 'test') as test_first
        from numbered
        group by fold
    )

select *
from per_fold
where
    not (
        train_last + {{ var('walk_forward_embargo', 20) }} < valid_first
        and valid_last + {{ var('walk_forward_embargo', 20) }} < test_first
    )
