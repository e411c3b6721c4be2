{{ config(materialized="view", meta={"tests_follow_loads": true}) }}

{#- Every assessed record of every measured standard in one shape (one row per standard_id and
    record_id): the rows behind marts.compliance_records and marts.pledge_compliance. -#}

with

calls as (

    select * from {{ ref('int_calls_answer_times_assessed') }}

),

attendance as (

    select * from {{ ref('int_incidents_attendance_assessed') }}

),

appointments as (

    select * from {{ ref('int_incidents_appointments_assessed') }}

),

feedback_timeliness as (

    select * from {{ ref('int_feedback_timeliness_assessed') }}

),

victim_updates as (

    select * from {{ ref('int_victim_update_windows_assessed') }}

),

victim_support_referrals as (

    select * from {{ ref('int_victim_support_referrals_assessed') }}

),

unioned as (

    select * from calls
    union all
    select * from attendance
    union all
    select * from appointments
    union all
    select * from feedback_timeliness
    union all
    select * from victim_updates
    union all
    select * from victim_support_referrals

),

described as (

    select
        standard_id,
        force_code,
        borough_code,
        period_month,
        record_id,
        source_kind,
        source_key,
        load_id,
        started_at,
        deadline_at,
        event_at,
        elapsed_seconds,
        threshold_seconds,
        outcome,
        call_type,
        grade,
        area_type,
        incident_type,
        feedback_type,
        category,
        channel,
        crime_type

    from unioned

),

final as (

    select * from described

)

select * from final
