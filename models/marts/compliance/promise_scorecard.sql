{#- Published (docs/marts.md): what the board reads first. One row per force and standard of the
    standards seed (all twelve Pledge items, the MPS Promise and QoSC items, measured or not) for
    the force's latest complete month: the latest London month whose last day the force's as-of
    time (the latest timestamp loaded in any of its extracts) has reached. An extract that runs to
    31 March (say its last call is at 23:58) covers March; one that stops on 30 March does not. Force-wide rate of that month, of the month before, and rolling 12 months
    (that month and the 11 before: sum of numerators over sum of denominators). -#}

with

as_of_times as (

    select * from {{ ref('int_extract_as_of_times_computed') }}

),

standards as (

    select * from {{ ref('standards') }}

),

cells as (

    select * from {{ ref('pledge_compliance') }}

),

forces as (

    select
        force_code,
        max(as_of_at) as as_of_at,
        cast(
            date_trunc('month', {{ london_date('max(as_of_at)') }} + interval 1 day)
            - interval 1 month as date
        ) as period_month

    from as_of_times
    group by force_code

),

force_standards as (

    select
        forces.force_code,
        forces.period_month,
        forces.as_of_at,
        standards.standard_id,
        standards.title,
        standards.source,
        standards.commitment_wording,
        standards.sort_order,
        standards.target_rate,
        standards.measured,
        standards.not_measured_reason

    from forces
    inner join standards
        on {{ standard_applies_to_force('standards.force_code', 'forces.force_code') }}

),

monthly as (

    select
        standard_id,
        force_code,
        period_month,
        cast(sum(numerator) as bigint) as numerator,
        cast(sum(denominator) as bigint) as denominator,
        cast(sum(pending) as bigint) as pending

    from cells
    group by standard_id, force_code, period_month

),

summarised as (

    select
        force_standards.force_code,
        force_standards.period_month,
        force_standards.standard_id,
        any_value(force_standards.as_of_at) as as_of_at,
        cast(coalesce(sum(monthly.numerator) filter (
            where monthly.period_month = force_standards.period_month
        ), 0) as bigint) as numerator,
        cast(coalesce(sum(monthly.denominator) filter (
            where monthly.period_month = force_standards.period_month
        ), 0) as bigint) as denominator,
        cast(coalesce(sum(monthly.pending) filter (
            where monthly.period_month = force_standards.period_month
        ), 0) as bigint) as pending,
        cast(coalesce(sum(monthly.numerator) filter (
            where monthly.period_month = cast(force_standards.period_month - interval 1 month as date)
        ), 0) as bigint) as previous_numerator,
        cast(coalesce(sum(monthly.denominator) filter (
            where monthly.period_month = cast(force_standards.period_month - interval 1 month as date)
        ), 0) as bigint) as previous_denominator,
        cast(coalesce(sum(monthly.numerator), 0) as bigint) as rolling_12_numerator,
        cast(coalesce(sum(monthly.denominator), 0) as bigint) as rolling_12_denominator

    from force_standards
    left join monthly
        on
            force_standards.standard_id = monthly.standard_id
            and force_standards.force_code = monthly.force_code
            and monthly.period_month between cast(force_standards.period_month - interval 11 month as date)
            and force_standards.period_month
    group by force_standards.force_code, force_standards.period_month, force_standards.standard_id

),

rated as (

    select
        force_standards.force_code,
        force_standards.period_month,
        force_standards.standard_id,
        force_standards.title,
        force_standards.source,
        force_standards.commitment_wording,
        force_standards.sort_order,
        force_standards.target_rate,
        force_standards.measured,
        force_standards.not_measured_reason,
        summarised.as_of_at,
        case when force_standards.measured then summarised.numerator end as numerator,
        case when force_standards.measured then summarised.denominator end as denominator,
        case when force_standards.measured then summarised.pending end as pending,
        case
            when summarised.denominator > 0 then summarised.numerator / summarised.denominator
        end as rate,
        case
            when summarised.previous_denominator > 0
                then summarised.previous_numerator / summarised.previous_denominator
        end as previous_rate,
        case when force_standards.measured then summarised.rolling_12_numerator end as rolling_12_numerator,
        case
            when force_standards.measured then summarised.rolling_12_denominator
        end as rolling_12_denominator,
        case
            when summarised.rolling_12_denominator > 0
                then summarised.rolling_12_numerator / summarised.rolling_12_denominator
        end as rolling_12_rate

    from force_standards
    inner join summarised
        on
            force_standards.force_code = summarised.force_code
            and force_standards.standard_id = summarised.standard_id

),

final as (

    select
        force_code,
        period_month,
        standard_id,
        title,
        source,
        commitment_wording,
        sort_order,
        target_rate,
        numerator,
        denominator,
        pending,
        rate,
        previous_rate,
        rolling_12_numerator,
        rolling_12_denominator,
        rolling_12_rate,
        {{ rag_status('rate', 'target_rate', 'denominator') }} as rag,
        measured,
        not_measured_reason,
        as_of_at

    from rated

)

select * from final
