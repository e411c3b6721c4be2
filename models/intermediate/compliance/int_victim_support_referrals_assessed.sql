{{ config(materialized='incremental', unique_key=['force_code', 'source_key']) }}

{#- One row per recorded crime and Victim Support referral standard (event family
    victim_support_referred): met when the first referral contact (the seed's applies_to,
    victim_support_referral) is within the threshold (48 h) of the first `recorded` contact,
    missed when later or absent past the deadline at the victim contacts' as-of time, pending
    otherwise. A crime whose victim opted out before any referral and within the threshold is
    excluded (no row). Borough and month (London) of the recorded contact. -#}

with

{%- if is_incremental() %}

changed as (

    {{ changed_source_keys(ref('stg_crime_records__victim_contacts'), 'crime_reference', 'victim_contacts') }}

),
{%- endif %}

contacts as (

    select * from {{ ref('stg_crime_records__victim_contacts') }}
    {%- if is_incremental() %}
    where (force_code, crime_reference) in (select (force_code, source_key) from changed)
    {%- endif %}

),

standards as (

    select * from {{ ref('int_compliance_standards_resolved') }}
    where event_family = 'victim_support_referred'

),

as_of_times as (

    select * from {{ ref('int_extract_as_of_times_computed') }}
    where extract_kind = 'victim_contacts'

),

recordings as (

    select
        force_code,
        crime_reference,
        contact_at as recorded_at,
        borough_code,
        crime_type

    from contacts
    where contact_type = 'recorded'
    qualify row_number() over (partition by force_code, crime_reference order by contact_at, contact_id) = 1

),

crime_boroughs as (

    select
        force_code,
        crime_reference,
        min(borough_code) as any_borough_code,
        min(crime_type) as any_crime_type,
        max(load_id) as load_id

    from contacts
    group by force_code, crime_reference

),

joined as (

    select
        standards.standard_id,
        standards.threshold_seconds,
        recordings.force_code,
        recordings.crime_reference,
        recordings.recorded_at,
        coalesce(recordings.borough_code, crime_boroughs.any_borough_code) as borough_code,
        coalesce(recordings.crime_type, crime_boroughs.any_crime_type) as crime_type,
        crime_boroughs.load_id,
        recordings.recorded_at + to_microseconds(
            cast(standards.threshold_seconds * 1000000 as bigint)
        ) as deadline_at,
        min(contacts.contact_at) filter (
            where {{ applies_to('contacts.contact_type', 'standards.applies_to') }}
        ) as referred_at,
        min(contacts.contact_at) filter (where contacts.contact_type = 'opt_out') as opted_out_at,
        any_value(as_of_times.as_of_at) as as_of_at

    from recordings
    inner join standards
        on {{ standard_applies_to_force('standards.force_code', 'recordings.force_code') }}
    inner join crime_boroughs
        on
            recordings.force_code = crime_boroughs.force_code
            and recordings.crime_reference = crime_boroughs.crime_reference
    inner join contacts
        on
            recordings.force_code = contacts.force_code
            and recordings.crime_reference = contacts.crime_reference
    left join as_of_times
        on recordings.force_code = as_of_times.force_code
    group by
        standards.standard_id,
        standards.threshold_seconds,
        recordings.force_code,
        recordings.crime_reference,
        recordings.recorded_at,
        recordings.borough_code,
        crime_boroughs.any_borough_code,
        recordings.crime_type,
        crime_boroughs.any_crime_type,
        crime_boroughs.load_id

),

flagged as (

    select
        *,
        coalesce(
            opted_out_at <= deadline_at and (referred_at is null or opted_out_at < referred_at),
            false
        ) as is_opted_out_before_referral

    from joined

),

counted as (

    select * from flagged
    where not is_opted_out_before_referral

),

assessed as (

    select
        standard_id,
        force_code,
        coalesce(borough_code, '{{ var("unknown_borough_code") }}') as borough_code,
        {{ london_month('recorded_at') }} as period_month,
        crime_reference as record_id,
        'victim_contacts' as source_kind,
        crime_reference as source_key,
        load_id,
        recorded_at as started_at,
        deadline_at,
        referred_at as event_at,
        (epoch_us(referred_at) - epoch_us(recorded_at)) / 1000000.0 as elapsed_seconds,
        threshold_seconds,
        {{ compliance_outcome('referred_at', 'deadline_at', 'as_of_at') }} as outcome,
        cast(null as varchar) as call_type,
        cast(null as varchar) as grade,
        cast(null as varchar) as area_type,
        cast(null as varchar) as incident_type,
        cast(null as varchar) as feedback_type,
        cast(null as varchar) as category,
        cast(null as varchar) as channel,
        crime_type

    from counted

),

final as (

    {{ rows_of_changed_keys('changed', 'assessed', ['force_code', 'source_key']) }}

)

select * from final
