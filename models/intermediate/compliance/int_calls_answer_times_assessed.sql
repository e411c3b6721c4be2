{{ config(materialized='incremental', unique_key=['force_code', 'source_key']) }}

{#- One row per call and call-answering standard (event family call_answered; the call's line in
    the standard's applies_to): met when answered_at - received_at is within the threshold
    (inclusive, to the microsecond), missed when answered later or abandoned, pending when neither
    answered nor abandoned and the deadline is not past the calls' as-of time. A call with no
    answered_at is abandoned; a short abandon (abandoned_at - received_at < var
    short_abandon_seconds) is not presented and has no row; a missing abandoned_at cannot be a
    short abandon, so the call stays in. Counted in the London month of received_at. -#}

with

{%- if is_incremental() %}

changed as (

    {{ changed_source_keys(ref('stg_telephony__calls'), 'call_id', 'calls') }}

),
{%- endif %}

calls as (

    select * from {{ ref('stg_telephony__calls') }}
    {%- if is_incremental() %}
    where (force_code, call_id) in (select (force_code, source_key) from changed)
    {%- endif %}

),

standards as (

    select * from {{ ref('int_compliance_standards_resolved') }}
    where event_family = 'call_answered'

),

as_of_times as (

    select * from {{ ref('int_extract_as_of_times_computed') }}
    where extract_kind = 'calls'

),

flagged as (

    select
        *,
        answered_at is null and is_abandoned as is_unanswered_abandon,
        coalesce(
            answered_at is null
            and epoch_us(abandoned_at) - epoch_us(received_at) < {{ var('short_abandon_seconds') }} * 1000000,
            false
        ) as is_short_abandon

    from calls

),

presented as (

    select * from flagged
    where not is_short_abandon

),

joined as (

    select
        standards.standard_id,
        standards.threshold_seconds,
        presented.*,
        presented.received_at + to_microseconds(
            cast(standards.threshold_seconds * 1000000 as bigint)
        ) as deadline_at,
        as_of_times.as_of_at

    from presented
    inner join standards
        on
            {{ applies_to('presented.line', 'standards.applies_to') }}
            and {{ standard_applies_to_force('standards.force_code', 'presented.force_code') }}
    left join as_of_times
        on presented.force_code = as_of_times.force_code

),

assessed as (

    select
        standard_id,
        force_code,
        coalesce(borough_code, '{{ var("unknown_borough_code") }}') as borough_code,
        {{ london_month('received_at') }} as period_month,
        call_id as record_id,
        'calls' as source_kind,
        call_id as source_key,
        load_id,
        received_at as started_at,
        deadline_at,
        answered_at as event_at,
        (epoch_us(answered_at) - epoch_us(received_at)) / 1000000.0 as elapsed_seconds,
        threshold_seconds,
        case
            when is_unanswered_abandon then 'missed'
            else {{ compliance_outcome('answered_at', 'deadline_at', 'as_of_at') }}
        end as outcome,
        line as call_type,
        cast(null as varchar) as grade,
        cast(null as varchar) as area_type,
        cast(null as varchar) as incident_type,
        cast(null as varchar) as feedback_type,
        cast(null as varchar) as category,
        cast(null as varchar) as channel,
        cast(null as varchar) as crime_type

    from joined

),

final as (

    {{ rows_of_changed_keys('changed', 'assessed', ['force_code', 'source_key']) }}

)

select * from final
