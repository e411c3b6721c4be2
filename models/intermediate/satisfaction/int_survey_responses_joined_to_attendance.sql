{#- One row per survey response and incident outcome measure it can be judged on: the response's
    incident_id found in CAD (same force), the incident of the measure's grade and not
    cancelled. Attendance is met when first_arrival_at - created_at is within the measure's
    threshold (satisfaction_outcome_measures seed: urban / rural minutes, inclusive; a missing
    area_type is urban), missed when later or never attended (a surveyed incident is weeks old,
    so its deadline has passed). Computed from staging, independently of the compliance marts. -#}

with

responses as (

    select * from {{ ref('int_survey_responses_grouped') }}
    where incident_id is not null

),

incidents as (

    select * from {{ ref('stg_cad__incidents') }}

),

measures as (

    select * from {{ ref('satisfaction_outcome_measures') }}
    where linked_via = 'incident'

),

linked as (

    select
        responses.force_code,
        responses.response_id,
        measures.outcome_measure,
        incidents.incident_id,
        incidents.grade,
        coalesce(incidents.area_type, 'urban') as area_type,
        case
            when incidents.area_type = 'rural' then measures.rural_threshold_minutes
            else measures.urban_threshold_minutes
        end as threshold_minutes,
        epoch_us(incidents.first_arrival_at) - epoch_us(incidents.created_at) as attendance_us

    from responses
    inner join incidents
        on
            responses.force_code = incidents.force_code
            and responses.incident_id = incidents.incident_id
    inner join measures
        on incidents.grade = measures.grade
    where not incidents.is_attendance_cancelled

),

classified as (

    select
        force_code,
        response_id,
        outcome_measure,
        incident_id,
        grade,
        area_type,
        threshold_minutes,
        attendance_us / 1000000.0 as attendance_seconds,
        case
            when attendance_us is not null and attendance_us <= threshold_minutes * 60 * 1000000
                then 'met'
            else 'missed'
        end as outcome_group

    from linked

),

final as (

    select * from classified

)

select * from final
