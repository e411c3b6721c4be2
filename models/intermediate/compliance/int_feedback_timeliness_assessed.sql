{{ config(materialized='incremental', unique_key=['force_code', 'source_key']) }}

{#- One row per feedback item and timeliness standard: feedback_acknowledged (acknowledged_at)
    and feedback_responded (responded_at, only items with response_requested, which defaults to
    true). Only the feedback types in the standard's applies_to (complaint, dissatisfaction) count;
    compliments and comments never do. Deadline: received_at + the threshold, or for a
    working_days threshold the end (23:59:59.999999 London) of the N-th working day after the
    London date received, that date not counted. Met when the event is at or before the deadline,
    missed when after it or when the deadline passed without it at the feedback as-of time,
    pending otherwise. London month of received_at. -#}

with

{%- if is_incremental() %}

changed as (

    {{ changed_source_keys(ref('stg_customer_service__feedback_items'), 'feedback_id', 'feedback') }}

),
{%- endif %}

feedback_items as (

    select * from {{ ref('stg_customer_service__feedback_items') }}
    {%- if is_incremental() %}
    where (force_code, feedback_id) in (select (force_code, source_key) from changed)
    {%- endif %}

),

standards as (

    select * from {{ ref('int_compliance_standards_resolved') }}
    where event_family in ('feedback_acknowledged', 'feedback_responded')

),

calendar as (

    select * from {{ ref('int_calendar_working_days_indexed') }}

),

as_of_times as (

    select * from {{ ref('int_extract_as_of_times_computed') }}
    where extract_kind = 'feedback'

),

joined as (

    select
        standards.standard_id,
        standards.threshold_seconds,
        standards.threshold_working_days,
        feedback_items.*,
        {{ london_date('feedback_items.received_at') }} as received_date,
        case
            when standards.event_family = 'feedback_acknowledged' then feedback_items.acknowledged_at
            else feedback_items.responded_at
        end as awaited_event_at,
        as_of_times.as_of_at

    from feedback_items
    inner join standards
        on
            {{ applies_to('feedback_items.feedback_type', 'standards.applies_to') }}
            and {{ standard_applies_to_force('standards.force_code', 'feedback_items.force_code') }}
    left join as_of_times
        on feedback_items.force_code = as_of_times.force_code
    where standards.event_family = 'feedback_acknowledged' or feedback_items.is_response_requested

),

deadline_days as (

    select
        joined.*,
        deadline_day.calendar_date as deadline_date

    from joined
    left join calendar as received_day
        on joined.received_date = received_day.calendar_date
    left join calendar as deadline_day
        on
            joined.threshold_working_days is not null
            and deadline_day.is_working_day
            and deadline_day.working_day_index
            = received_day.working_day_index + joined.threshold_working_days

),

timed as (

    select
        *,
        case
            when threshold_working_days is not null then {{ london_end_of_day('deadline_date') }}
            else received_at + to_microseconds(cast(threshold_seconds * 1000000 as bigint))
        end as deadline_at

    from deadline_days

),

assessed as (

    select
        standard_id,
        force_code,
        coalesce(borough_code, '{{ var("unknown_borough_code") }}') as borough_code,
        {{ london_month('received_at') }} as period_month,
        feedback_id as record_id,
        'feedback' as source_kind,
        feedback_id as source_key,
        load_id,
        received_at as started_at,
        deadline_at,
        awaited_event_at as event_at,
        (epoch_us(awaited_event_at) - epoch_us(received_at)) / 1000000.0 as elapsed_seconds,
        threshold_seconds,
        {{ compliance_outcome('awaited_event_at', 'deadline_at', 'as_of_at') }} as outcome,
        cast(null as varchar) as call_type,
        cast(null as varchar) as grade,
        cast(null as varchar) as area_type,
        cast(null as varchar) as incident_type,
        feedback_type,
        category,
        channel,
        cast(null as varchar) as crime_type

    from timed

),

final as (

    {{ rows_of_changed_keys('changed', 'assessed', ['force_code', 'source_key']) }}

)

select * from final
