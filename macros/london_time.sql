{#- Periods are calendar months and dates in Europe/London time (docs/measures.md). Instants are
    TIMESTAMPTZ; timezone(zone, timestamptz) gives the London wall-clock TIMESTAMP whatever the
    session time zone is. -#}
{% macro london_local(ts) -%}
    timezone('{{ var("reporting_time_zone") }}', {{ ts }})
{%- endmacro %}

{% macro london_date(ts) -%}
    cast(timezone('{{ var("reporting_time_zone") }}', {{ ts }}) as date)
{%- endmacro %}

{% macro london_month(ts) -%}
    cast(date_trunc('month', timezone('{{ var("reporting_time_zone") }}', {{ ts }})) as date)
{%- endmacro %}

{#- The instant at which a London wall-clock timestamp occurs. -#}
{% macro london_to_utc(local_ts) -%}
    timezone('{{ var("reporting_time_zone") }}', {{ local_ts }})
{%- endmacro %}
