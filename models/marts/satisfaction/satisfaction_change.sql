{#- Published: is satisfaction getting better? Per force, borough (`ALL` = force-wide), question
    and period end month M, the rolling-12-month rate ending at M against the one ending at
    M - 12 months: non-overlapping windows, both full (docs/measures.md, "Change over time").
    The change has the MOVER interval from the two Wilson intervals and its p-value by
    inverting that interval in z (macros/inference.sql). A suppressed window gives nulls. -#}

{{ config(contract={'enforced': true}) }}

with

satisfaction as (

    select * from {{ ref('citizen_focus_satisfaction') }}
    where window_months = 12 and is_full_window

),

paired as (

    select
        current_window.force_code,
        current_window.borough_code,
        current_window.question,
        current_window.period_end_month,
        previous_window.period_end_month as previous_period_end_month,
        current_window.respondents,
        previous_window.respondents as previous_respondents,
        current_window.n_eff,
        previous_window.n_eff as previous_n_eff,
        current_window.rate,
        previous_window.rate as previous_rate,
        current_window.reliable and previous_window.reliable as reliable
    from satisfaction as current_window
    inner join satisfaction as previous_window
        on
            current_window.force_code = previous_window.force_code
            and current_window.borough_code = previous_window.borough_code
            and current_window.question = previous_window.question
            and previous_window.period_end_month
            = cast({{ dbt.dateadd('month', -12, 'current_window.period_end_month') }} as date)

),

changes as (

    select
        *,
        rate - previous_rate as rate_change
    from paired

),

{{ inverted_mover_ctes(
    'changes', 'rate_change',
    wilson_difference_arms('rate', 'n_eff', 'previous_rate', 'previous_n_eff'), 'change'
) }},

final as (

    select
        force_code,
        borough_code,
        question,
        period_end_month,
        previous_period_end_month,
        respondents,
        previous_respondents,
        rate,
        previous_rate,
        100.0 * rate_change as change_pp,
        100.0 * change_ci_low as change_ci_low_pp,
        100.0 * change_ci_high as change_ci_high_pp,
        change_z_statistic as z_statistic,
        change_p_value as p_value,
        change_ci_low > 0 or change_ci_high < 0 as significant,
        reliable
    from change_inverted

)

select * from final
