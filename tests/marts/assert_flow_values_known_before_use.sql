-- Point in time, recomputed independently of the flow models' as-of join: a stock's flow value on
-- date t must be the one of its Section's latest week published strictly before t (published
-- ≈ 18:00, usable from the next trading day), with the Section taken from the latest listing
-- snapshot on or before t. Both "latest … before" are carried forward along a sorted union of
-- events and rows (window last_value), not looked up per row (correlated subqueries: 4.0 s on the
-- full market). A daily build checks the rows of its scope (macros/incremental/build_scope.sql).
with

    rows_with_flow as (
        select code, date, smart_money_index
        from {{ build_scoped(ref('ml_dataset')) }}
        where smart_money_index is not null
    ),

    listing_timeline as (  -- a code's snapshots and its rows; a snapshot counts from its own date on
        select code, valid_from as date, 0 as is_row, valid_from as snapshot, cast(null as double) as smart_money_index
        from {{ ref('int_listed_issues_pit') }}
        union all
        select code, date, 1, null, smart_money_index
        from rows_with_flow
    ),

    section_then as (
        select t.code, t.date, t.smart_money_index, l.investor_section as section
        from
            (
                select
                    *,
                    last_value(snapshot ignore nulls) over (
                        partition by code order by date, is_row rows between unbounded preceding and current row
                    ) as snapshot_in_force
                from listing_timeline
            ) as t
        left join {{ ref('int_listed_issues_pit') }} as l on l.code = t.code and l.valid_from = t.snapshot_in_force
        where t.is_row = 1
    ),

    publications as (  -- one week per (Section, publication day): the latest week if several
        select section, published_date, arg_max(smart_money_index, week_end) as smart_money_index
        from {{ ref('int_investor_flows_weekly') }}
        group by section, published_date
    ),

    flow_timeline as (  -- a Section's publications and the days asked about; a publication counts from the next day
        select section, published_date as date, 1 as is_publication, published_date as published
        from publications
        union all
        select distinct section, date, 0, cast(null as date)
        from section_then
        where section is not null
    ),

    expected as (
        select f.section, f.date, p.smart_money_index as expected_index
        from
            (
                select
                    *,
                    last_value(published ignore nulls) over (
                        partition by section
                        order by date, is_publication
                        rows between unbounded preceding and current row
                    ) as published_before
                from flow_timeline
            ) as f
        left join publications as p on p.section = f.section and p.published_date = f.published_before
        where f.is_publication = 0
    )

select s.*, e.expected_index
from section_then as s
left join expected as e using (section, date)
where e.expected_index is null or abs(s.smart_money_index - e.expected_index) > 1e-12
