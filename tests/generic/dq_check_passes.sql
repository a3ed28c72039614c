{#- A data-quality check of dq_daily_report flagged nothing on any day; fails with the days it
    flagged something, or with one row if the check never ran (so it cannot pass by absence). -#}
{% test dq_check_passes(model, check_name) %}
    select date, check_name, n_flagged, n_checked, examples, detail
    from {{ model }}
    where check_name = '{{ check_name }}' and n_flagged > 0
    union all
    select null, '{{ check_name }}', null, null, null, 'the check never ran'
    where not exists (select 1 from {{ model }} where check_name = '{{ check_name }}')
{% endtest %}
