{#- Record-level drill-down behind marts.pledge_compliance: one row per (standard_id, record_id),
    no personal data ("which 999 calls missed 10 s in Hackney last March?"). -#}

with

records as (

    select * from {{ ref('int_compliance_records_unioned') }}

),

final as (

    select
        standard_id,
        force_code,
        borough_code,
        period_month,
        record_id,
        started_at,
        started_at_london,
        deadline_at,
        event_at,
        elapsed_seconds,
        threshold_seconds,
        outcome,
        as_of_at,
        call_type,
        grade,
        area_type,
        incident_type,
        feedback_type,
        category,
        channel,
        crime_type,
        hour_of_day,
        weekday,
        weekday_number

    from records

)

select * from final
