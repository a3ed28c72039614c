{#- Flow (4): the investor-type signal of the stock's Section as of each date. The Section comes
    from the listing master as of that date (never today's market stretched into the past). -#}
{% macro flow_features(observations) -%}
    with

        with_section as (
            select l.*, {{ listing_in_force('investor_section', 'listing', 'l.date') }} as investor_section
            from
                {{ observations }} as l
                {{ asof_join(ref('int_listed_issues_pit'), 'listing', ['code'], 'date', 'valid_from') }}
        )

    select
        s.* exclude (investor_section),
        flows.smart_money_index,
        flows.smart_money_change,
        flows.flow_high_flag,
        flows.flow_low_flag
    from with_section as s
    left join
        {{ ref('int_investor_flows_daily') }} as flows on flows.section = s.investor_section and flows.date = s.date
{%- endmacro %}
