{#- The incremental scheme of dq_feature_histogram and dq_feature_drift, called in place of each
    model's config(): a daily run deletes the months from recount_from_month on (pre-hook) and
    appends their recount (the model's query filters on the same month), then stores the day it
    counted through, `counted_through=<ml_dataset's last day>` in the table comment (post-hook).
    dbt's delete+insert on month instead joined every stored bucket of a month to every new one. -#}
{% macro recounted_by_month() %}
    {{ config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{% set recount_from = recount_from_month(this) %}{{ 'delete from ' ~ this ~ ' where month >= ' ~ recount_from if recount_from is not none }}",
        post_hook="{{ store_day_note(this, 'counted_through', 'select max(date) from ' ~ ref('ml_dataset')) }}"
    ) }}
{% endmacro %}
