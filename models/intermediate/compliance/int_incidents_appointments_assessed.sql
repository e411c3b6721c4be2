{{ config(materialized='incremental', unique_key=['force_code', 'source_key']) }}

{#- One row per incident and appointment standard (the incident's grade in the standard's
    applies_to, grade S in the seed). appointment_set: every such incident; met when
    appointment_at - created_at is within the threshold (48 h), missed when later or when no
    appointment was set by the deadline at the incidents' as-of time, pending otherwise.
    appointment_kept: such incidents with an appointment, attendance not cancelled; met when
    first_arrival_at <= appointment_at + the grace threshold (30 min), missed when later or
    unattended past it, pending otherwise; its elapsed time is measured from the appointment
    time. Both count in the London month of created_at. -#}

with

{%- if is_incremental() %}

changed as (

    {{ changed_source_keys(ref('stg_cad__incidents'), 'incident_id', 'incidents') }}

),
{%- endif %}

incidents as (

    select * from {{ ref('stg_cad__incidents') }}
    {%- if is_incremental() %}
    where (force_code, incident_id) in (select (force_code, source_key) from changed)
    {%- endif %}

),

standards as (

    select * from {{ ref('int_compliance_standards_resolved') }}
    where event_family in ('appointment_set', 'appointment_kept')

),

as_of_times as (

    select * from {{ ref('int_extract_as_of_times_computed') }}
    where extract_kind = 'incidents'

),

joined as (

    select
        standards.standard_id,
        standards.threshold_seconds,
        incidents.*,
        case
            when standards.event_family = 'appointment_set' then incidents.created_at
            else incidents.appointment_at
        end as clock_started_at,
        case
            when standards.event_family = 'appointment_set' then incidents.appointment_at
            else incidents.first_arrival_at
        end as awaited_event_at,
        as_of_times.as_of_at

    from incidents
    inner join standards
        on
            {{ applies_to('incidents.grade', 'standards.applies_to') }}
            and {{ standard_applies_to_force('standards.force_code', 'incidents.force_code') }}
    left join as_of_times
        on incidents.force_code = as_of_times.force_code
    where
        standards.event_family = 'appointment_set'
        or (incidents.appointment_at is not null and not incidents.is_attendance_cancelled)

),

timed as (

    select
        *,
        clock_started_at + to_microseconds(cast(threshold_seconds * 1000000 as bigint)) as deadline_at

    from joined

),

assessed as (

    select
        standard_id,
        force_code,
        coalesce(borough_code, '{{ var("unknown_borough_code") }}') as borough_code,
        {{ london_month('created_at') }} as period_month,
        incident_id as record_id,
        'incidents' as source_kind,
        incident_id as source_key,
        load_id,
        created_at as started_at,
        deadline_at,
        awaited_event_at as event_at,
        (epoch_us(awaited_event_at) - epoch_us(clock_started_at)) / 1000000.0 as elapsed_seconds,
        threshold_seconds,
        {{ compliance_outcome('awaited_event_at', 'deadline_at', 'as_of_at') }} as outcome,
        cast(null as varchar) as call_type,
        grade,
        coalesce(area_type, 'urban') as area_type,
        incident_type,
        cast(null as varchar) as feedback_type,
        cast(null as varchar) as category,
        cast(null as varchar) as channel,
        cast(null as varchar) as crime_type

    from timed

),

final as (

    {{ rows_of_changed_keys('changed', 'assessed', ['force_code', 'source_key']) }}

)

select * from final
