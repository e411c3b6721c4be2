{#- Compliance helpers (docs/measures.md, docs/compliance.md). -#}

{#- A standard's threshold in seconds from the standards seed's value and unit; null for
    working_days (those deadlines come from the working-day calendar). -#}
{% macro threshold_seconds(value, unit) -%}
    case {{ unit }}
        when 'seconds' then {{ value }}
        when 'minutes' then {{ value }} * 60
        when 'hours' then {{ value }} * 3600
        when 'days' then {{ value }} * 86400
    end
{%- endmacro %}

{#- True when value is one of the '|'-separated values of the seed's applies_to. -#}
{% macro applies_to(value, list_column) -%}
    list_contains(string_split({{ list_column }}, '|'), {{ value }})
{%- endmacro %}

{#- The standard applies to the record's force: a seed row with no force_code applies to all. -#}
{% macro standard_applies_to_force(standard_force, record_force) -%}
    ({{ standard_force }} is null or {{ standard_force }} = {{ record_force }})
{%- endmacro %}

{#- met / missed / pending of a record: met when the event happened by the (inclusive) deadline,
    missed when it happened later or the deadline passed without it at the as-of time, pending
    otherwise (no event yet and the deadline not passed). -#}
{% macro compliance_outcome(event_at, deadline_at, as_of_at) -%}
    case
        when {{ event_at }} is not null and {{ event_at }} <= {{ deadline_at }} then 'met'
        when {{ event_at }} is not null then 'missed'
        when {{ as_of_at }} > {{ deadline_at }} then 'missed'
        else 'pending'
    end
{%- endmacro %}

{#- RAG of a rate against its target: green rate >= target, amber rate >= target - margin
    (var rag_amber_margin), red below, no_data when nothing is in the denominator. Compared with
    a 1e-9 tolerance so that 17/20 against 0.90 - 0.05 is amber, not a float-rounding red. -#}
{% macro rag_status(rate, target_rate, denominator) -%}
    case
        when coalesce({{ denominator }}, 0) = 0 or {{ rate }} is null or {{ target_rate }} is null then 'no_data'
        when {{ rate }} >= {{ target_rate }} - 1e-9 then 'green'
        when {{ rate }} >= {{ target_rate }} - {{ var('rag_amber_margin') }} - 1e-9 then 'amber'
        else 'red'
    end
{%- endmacro %}

{#- The instant a London calendar day ends (23:59:59.999999 London): the inclusive deadline of
    "within N working days". -#}
{% macro london_end_of_day(day) -%}
    {{ london_to_utc('cast(' ~ day ~ ' + 1 as timestamp)') }} - interval 1 microsecond
{%- endmacro %}
