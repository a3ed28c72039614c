{#-
  The first trading date on which a disclosure can be used (docs/features.md):
  its disclosure date if that date trades and the time is strictly before that session's close —
  15:00 before 2024-11-05, 15:30 from then (TSE extended the session), 11:30 on a half-day
  session — otherwise (after the close, no time, an unparsable time, or a non-trading date) the
  next trading day. Arguments are column expressions; the calendar columns come from
  int_trading_calendar joined on the disclosure date.
-#}
{% macro statement_available_date(disclosed_date, disclosed_time, is_trading_day, is_half_day, next_trading_day) -%}
    case
        when
            coalesce({{ is_trading_day }}, false)
            and try_cast({{ disclosed_time }} as time) is not null
            and try_cast({{ disclosed_time }} as time) < case
                when {{ is_half_day }}
                then time '11:30:00'
                when {{ disclosed_date }} >= date '2024-11-05'
                then time '15:30:00'
                else time '15:00:00'
            end
        then {{ disclosed_date }}
        else {{ next_trading_day }}
    end
{%- endmacro %}
