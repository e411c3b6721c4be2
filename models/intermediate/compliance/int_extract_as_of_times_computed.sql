{#- The as-of time of each force's extract of each kind: the latest timestamp loaded for that
    kind (docs/measures.md). Appointment times are plans, not events, so they do not move it. A record
    whose deadline is not past this time and whose outcome is unknown is pending. -#}

with

calls as (

    select * from {{ ref('stg_telephony__calls') }}

),

incidents as (

    select * from {{ ref('stg_cad__incidents') }}

),

feedback_items as (

    select * from {{ ref('stg_customer_service__feedback_items') }}

),

victim_contacts as (

    select * from {{ ref('stg_crime_records__victim_contacts') }}

),

as_of_times as (

    select
        force_code,
        'calls' as extract_kind,
        max(greatest(received_at, answered_at, abandoned_at)) as as_of_at
    from calls
    group by force_code

    union all

    select
        force_code,
        'incidents' as extract_kind,
        max(greatest(created_at, first_arrival_at, closed_at)) as as_of_at
    from incidents
    group by force_code

    union all

    select
        force_code,
        'feedback' as extract_kind,
        max(greatest(received_at, acknowledged_at, responded_at, resolved_at)) as as_of_at
    from feedback_items
    group by force_code

    union all

    select
        force_code,
        'victim_contacts' as extract_kind,
        max(contact_at) as as_of_at
    from victim_contacts
    group by force_code

),

final as (

    select * from as_of_times

)

select * from final
