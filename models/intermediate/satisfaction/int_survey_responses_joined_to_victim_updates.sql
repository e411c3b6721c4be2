{#- One row per survey response linked (crime_reference, same force) to a crime with a
    `recorded` contact before the interview day, and crime outcome measure (victim updates every
    update_interval_days, seed satisfaction_outcome_measures). Update points are the recording
    and every update to the victim (seed satisfaction_victim_contact_types: update, arrest,
    charge, closure) after it, up to the end: the start of the interview day (London; the
    interview time is unknown) or the first contact ending the obligation (closure, opt_out),
    whichever is first. The longest gap between consecutive points, and from the last point to
    the end, decides: longer than the interval = missed (some 28-day window failed before the
    interview); otherwise met if at least one update was given, else undetermined (no window
    complete yet: excluded from the comparison). This equals "every 28-day update window of
    docs/measures.md completed before the interview was met". -#}

with

responses as (

    select * from {{ ref('int_survey_responses_grouped') }}
    where crime_reference is not null

),

contacts as (

    select * from {{ ref('stg_crime_records__victim_contacts') }}

),

contact_types as (

    select * from {{ ref('satisfaction_victim_contact_types') }}

),

measures as (

    select * from {{ ref('satisfaction_outcome_measures') }}
    where linked_via = 'crime'

),

linked_contacts as (

    select
        responses.force_code,
        responses.response_id,
        responses.crime_reference,
        {{ london_to_utc('cast(responses.interview_date as timestamp)') }} as cutoff_at,
        contacts.contact_type,
        contacts.contact_at,
        coalesce(contact_types.is_update_to_victim, false) as is_update_to_victim,
        coalesce(contact_types.ends_update_obligation, false) as ends_update_obligation

    from responses
    inner join contacts
        on
            responses.force_code = contacts.force_code
            and responses.crime_reference = contacts.crime_reference
    left join contact_types
        on contacts.contact_type = contact_types.contact_type

),

recordings as (

    select
        force_code,
        response_id,
        any_value(crime_reference) as crime_reference,
        any_value(cutoff_at) as cutoff_at,
        min(contact_at) filter (where contact_type = 'recorded') as recorded_at

    from linked_contacts
    group by force_code, response_id

),

bounded as (

    select
        recordings.force_code,
        recordings.response_id,
        recordings.crime_reference,
        recordings.recorded_at,
        recordings.cutoff_at,
        least(
            recordings.cutoff_at,
            min(linked_contacts.contact_at) filter (
                where linked_contacts.ends_update_obligation
                and linked_contacts.contact_at >= recordings.recorded_at
            )
        ) as end_at

    from recordings
    inner join linked_contacts
        on
            recordings.force_code = linked_contacts.force_code
            and recordings.response_id = linked_contacts.response_id
    where recordings.recorded_at < recordings.cutoff_at
    group by
        recordings.force_code,
        recordings.response_id,
        recordings.crime_reference,
        recordings.recorded_at,
        recordings.cutoff_at

),

update_points as (

    select
        force_code,
        response_id,
        recorded_at as point_at,
        false as is_update
    from bounded

    union all

    select
        bounded.force_code,
        bounded.response_id,
        linked_contacts.contact_at as point_at,
        true as is_update
    from bounded
    inner join linked_contacts
        on
            bounded.force_code = linked_contacts.force_code
            and bounded.response_id = linked_contacts.response_id
    where
        linked_contacts.is_update_to_victim
        and linked_contacts.contact_at > bounded.recorded_at
        and linked_contacts.contact_at <= bounded.end_at

),

gaps as (

    select
        update_points.force_code,
        update_points.response_id,
        update_points.is_update,
        epoch_us(
            coalesce(
                lead(update_points.point_at) over (
                    partition by update_points.force_code, update_points.response_id
                    order by update_points.point_at
                ),
                bounded.end_at
            )
        ) - epoch_us(update_points.point_at) as gap_us

    from update_points
    inner join bounded
        on
            update_points.force_code = bounded.force_code
            and update_points.response_id = bounded.response_id

),

per_response as (

    select
        force_code,
        response_id,
        count(*) filter (where is_update) as updates_before_interview,
        max(gap_us) as longest_gap_us

    from gaps
    group by force_code, response_id

),

classified as (

    select
        bounded.force_code,
        bounded.response_id,
        measures.outcome_measure,
        bounded.crime_reference,
        bounded.recorded_at,
        bounded.end_at,
        per_response.updates_before_interview,
        per_response.longest_gap_us / 86400000000.0 as longest_gap_days,
        case
            when per_response.longest_gap_us > measures.update_interval_days * 86400 * 1000000
                then 'missed'
            when per_response.updates_before_interview > 0 then 'met'
            else 'undetermined'
        end as outcome_group

    from bounded
    inner join per_response
        on
            bounded.force_code = per_response.force_code
            and bounded.response_id = per_response.response_id
    cross join measures

),

final as (

    select * from classified

)

select * from final
