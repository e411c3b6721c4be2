{{ config(materialized='incremental', unique_key=['force_code', 'source_key']) }}

{#- One row per victim update window (docs/measures.md, the 28-day rule) and update standard (event
    family victim_updated; the seed's applies_to lists the contact types that are updates to the
    victim: update, arrest, charge, closure). From the crime's first `recorded` contact, time is
    cut into consecutive windows of the threshold (28 days): a window starting at t ends at
    t + 28 d; an update in (t, t + 28 d] meets it (month of the update) and the next window starts
    at that update; otherwise it failed (month of t + 28 d) and the next starts at t + 28 d.
    Windows stop at the first `closure` (after counting it) or `opt_out` (the window it cuts short
    is neither met nor failed; updates at the opt-out instant still count). The window running at
    the victim contacts' as-of time is pending (month of its start).

    No loop: the update points (recording, then each distinct update instant up to the stop) cut
    the timeline into gaps; a gap g from point p holds ceil(g / 28 d) - 1 failed windows (those
    ending strictly before the next point), then the window the next point meets. -#}

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
    where event_family = 'victim_updated'

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

crime_attributes as (

    select
        force_code,
        crime_reference,
        min(borough_code) as any_borough_code,
        min(crime_type) as any_crime_type,
        max(load_id) as load_id

    from contacts
    group by force_code, crime_reference

),

crime_standards as (

    select
        standards.standard_id,
        standards.applies_to,
        standards.threshold_seconds,
        cast(standards.threshold_seconds * 1000000 as bigint) as window_us,
        recordings.force_code,
        recordings.crime_reference,
        recordings.recorded_at,
        coalesce(recordings.borough_code, crime_attributes.any_borough_code) as borough_code,
        coalesce(recordings.crime_type, crime_attributes.any_crime_type) as crime_type,
        crime_attributes.load_id,
        as_of_times.as_of_at

    from recordings
    inner join standards
        on {{ standard_applies_to_force('standards.force_code', 'recordings.force_code') }}
    inner join crime_attributes
        on
            recordings.force_code = crime_attributes.force_code
            and recordings.crime_reference = crime_attributes.crime_reference
    left join as_of_times
        on recordings.force_code = as_of_times.force_code

),

stops as (

    select
        crime_standards.standard_id,
        crime_standards.force_code,
        crime_standards.crime_reference,
        min(contacts.contact_at) filter (where contacts.contact_type = 'closure') as closed_at,
        min(contacts.contact_at) filter (where contacts.contact_type = 'opt_out') as opted_out_at

    from crime_standards
    inner join contacts
        on
            crime_standards.force_code = contacts.force_code
            and crime_standards.crime_reference = contacts.crime_reference
            and crime_standards.recorded_at <= contacts.contact_at
    group by crime_standards.standard_id, crime_standards.force_code, crime_standards.crime_reference

),

bounded as (

    select
        crime_standards.*,
        least(stops.closed_at, stops.opted_out_at) as stopped_at,
        case
            when
                stops.closed_at is not null
                and (stops.opted_out_at is null or stops.closed_at <= stops.opted_out_at)
                then 'closure'
            when stops.opted_out_at is not null then 'opt_out'
        end as stop_kind

    from crime_standards
    left join stops
        on
            crime_standards.standard_id = stops.standard_id
            and crime_standards.force_code = stops.force_code
            and crime_standards.crime_reference = stops.crime_reference

),

update_points as (

    select
        standard_id,
        force_code,
        crime_reference,
        recorded_at as point_at
    from bounded

    union

    select
        bounded.standard_id,
        bounded.force_code,
        bounded.crime_reference,
        contacts.contact_at as point_at
    from bounded
    inner join contacts
        on
            bounded.force_code = contacts.force_code
            and bounded.crime_reference = contacts.crime_reference
    where
        {{ applies_to('contacts.contact_type', 'bounded.applies_to') }}
        and contacts.contact_at > bounded.recorded_at
        and (bounded.stopped_at is null or contacts.contact_at <= bounded.stopped_at)

),

segments as (

    select
        bounded.standard_id,
        bounded.force_code,
        bounded.crime_reference,
        bounded.borough_code,
        bounded.crime_type,
        bounded.threshold_seconds,
        bounded.window_us,
        bounded.as_of_at,
        bounded.load_id,
        update_points.point_at,
        lead(update_points.point_at) over (
            partition by update_points.standard_id, update_points.force_code, update_points.crime_reference
            order by update_points.point_at
        ) as next_point_at,
        bounded.stopped_at,
        bounded.stop_kind

    from update_points
    inner join bounded
        on
            update_points.standard_id = bounded.standard_id
            and update_points.force_code = bounded.force_code
            and update_points.crime_reference = bounded.crime_reference

),

ended as (

    select
        *,
        case
            when next_point_at is not null then 'met'
            when stop_kind = 'closure' and point_at = stopped_at then 'stopped'
            when stop_kind is not null then 'cut'
            else 'pending'
        end as end_kind,
        coalesce(next_point_at, stopped_at, as_of_at) as end_at

    from segments

),

counted as (

    select
        *,
        case
            when end_kind = 'stopped' or epoch_us(end_at) <= epoch_us(point_at) then 0
            else (epoch_us(end_at) - epoch_us(point_at) - 1) // window_us
        end as failed_windows

    from ended

),

numbered as (

    select
        *,
        failed_windows + case when end_kind in ('met', 'pending') then 1 else 0 end as windows_in_segment,
        coalesce(
            sum(failed_windows + case when end_kind in ('met', 'pending') then 1 else 0 end) over (
                partition by standard_id, force_code, crime_reference
                order by point_at
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as windows_before

    from counted

),

failed_windows as (

    select
        standard_id,
        force_code,
        crime_reference,
        borough_code,
        crime_type,
        threshold_seconds,
        load_id,
        windows_before + window_offset as window_number,
        point_at + to_microseconds(window_us * (window_offset - 1)) as window_started_at,
        point_at + to_microseconds(window_us * window_offset) as deadline_at,
        cast(null as timestamptz) as event_at,
        'missed' as outcome

    from numbered,
        unnest(range(1, failed_windows + 1)) as offsets (window_offset)
    where failed_windows > 0

),

closing_windows as (

    select
        standard_id,
        force_code,
        crime_reference,
        borough_code,
        crime_type,
        threshold_seconds,
        load_id,
        windows_before + failed_windows + 1 as window_number,
        point_at + to_microseconds(window_us * failed_windows) as window_started_at,
        point_at + to_microseconds(window_us * (failed_windows + 1)) as deadline_at,
        case when end_kind = 'met' then end_at end as event_at,
        case when end_kind = 'met' then 'met' else 'pending' end as outcome

    from numbered
    where end_kind in ('met', 'pending')

),

windows as (

    select * from failed_windows
    union all
    select * from closing_windows

),

assessed as (

    select
        standard_id,
        force_code,
        coalesce(borough_code, '{{ var("unknown_borough_code") }}') as borough_code,
        case outcome
            when 'met' then {{ london_month('event_at') }}
            when 'missed' then {{ london_month('deadline_at') }}
            else {{ london_month('window_started_at') }}
        end as period_month,
        crime_reference || '#' || cast(window_number as varchar) as record_id,
        'victim_contacts' as source_kind,
        crime_reference as source_key,
        load_id,
        window_started_at as started_at,
        deadline_at,
        event_at,
        (epoch_us(event_at) - epoch_us(window_started_at)) / 1000000.0 as elapsed_seconds,
        threshold_seconds,
        outcome,
        cast(null as varchar) as call_type,
        cast(null as varchar) as grade,
        cast(null as varchar) as area_type,
        cast(null as varchar) as incident_type,
        cast(null as varchar) as feedback_type,
        cast(null as varchar) as category,
        cast(null as varchar) as channel,
        crime_type

    from windows

),

final as (

    {{ rows_of_changed_keys('changed', 'assessed', ['force_code', 'source_key']) }}

)

select * from final
