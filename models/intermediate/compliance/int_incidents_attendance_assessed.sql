{{ config(materialized='incremental', unique_key=['force_code', 'source_key']) }}

{#- One row per incident and attendance standard (event family incident_attended; the incident's
    grade in the standard's applies_to), cancelled attendance excluded: met when
    first_arrival_at - created_at is within the threshold (rural_threshold_value where area_type
    is rural; a missing area_type is urban), missed when later or when the deadline passed
    unattended at the incidents' as-of time, pending otherwise. London month of created_at. -#}

with

{%- if is_incremental() %}

changed as (

    {{ changed_source_keys(ref('stg_cad__incidents'), 'incident_id', 'incidents') }}

),
{%- endif %}

incidents as (

    select * from {{ ref('stg_cad__incidents') }}
    where not is_attendance_cancelled
    {%- if is_incremental() %}
        and (force_code, incident_id) in (select (force_code, source_key) from changed)
    {%- endif %}

),

standards as (

    select * from {{ ref('int_compliance_standards_resolved') }}
    where event_family = 'incident_attended'

),

as_of_times as (

    select * from {{ ref('int_extract_as_of_times_computed') }}
    where extract_kind = 'incidents'

),

joined as (

    select
        standards.standard_id,
        incidents.*,
        coalesce(incidents.area_type, 'urban') as area_type_or_urban,
        case
            when incidents.area_type = 'rural' then standards.rural_threshold_seconds
            else standards.threshold_seconds
        end as applied_threshold_seconds,
        as_of_times.as_of_at

    from incidents
    inner join standards
        on
            {{ applies_to('incidents.grade', 'standards.applies_to') }}
            and {{ standard_applies_to_force('standards.force_code', 'incidents.force_code') }}
    left join as_of_times
        on incidents.force_code = as_of_times.force_code

),

timed as (

    select
        *,
        created_at + to_microseconds(cast(applied_threshold_seconds * 1000000 as bigint)) as deadline_at

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
        first_arrival_at as event_at,
        (epoch_us(first_arrival_at) - epoch_us(created_at)) / 1000000.0 as elapsed_seconds,
        applied_threshold_seconds as threshold_seconds,
        {{ compliance_outcome('first_arrival_at', 'deadline_at', 'as_of_at') }} as outcome,
        cast(null as varchar) as call_type,
        grade,
        area_type_or_urban as area_type,
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
