{#- The measured standards of the standards seed with their thresholds in seconds, so every
    event-family model reads its thresholds, targets and scope from reference data. -#}

with

standards as (

    select * from {{ ref('standards') }}
    where measured

),

resolved as (

    select
        standard_id,
        event_family,
        applies_to,
        threshold_value,
        threshold_unit,
        {{ threshold_seconds('threshold_value', 'threshold_unit') }} as threshold_seconds,
        coalesce(
            {{ threshold_seconds('rural_threshold_value', 'threshold_unit') }},
            {{ threshold_seconds('threshold_value', 'threshold_unit') }}
        ) as rural_threshold_seconds,
        case
            when threshold_unit = 'working_days' then cast(threshold_value as integer)
        end as threshold_working_days,
        target_rate,
        force_code

    from standards

),

final as (

    select * from resolved

)

select * from final
