-- Point in time, recomputed independently of the flow models' as-of join: a stock's flow value on
-- date t must be the one of its Section's latest week published strictly before t (published
-- ≈ 18:00, usable from the next trading day), with the Section taken from the latest listing
-- snapshot on or before t.
with

rows_with_flow as (
    select code, date, smart_money_index
    from {{ ref('ml_dataset') }}
    where smart_money_index is not null
),

section_then as (
    select
        r.*,
        (select l.investor_section from {{ ref('int_listed_issues_pit') }} l
          where l.code = r.code and l.valid_from <= r.date
          order by l.valid_from desc limit 1) as section
    from rows_with_flow r
),

expected as (
    select
        s.*,
        (select w.smart_money_index from {{ ref('int_investor_flows_weekly') }} w
          where w.section = s.section and w.published_date < s.date
          order by w.published_date desc limit 1) as expected_index
    from section_then s
)

select *
from expected
where expected_index is null or abs(smart_money_index - expected_index) > 1e-12
