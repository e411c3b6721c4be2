{#- Published: is the White - BME gap closing? Per force, borough (`ALL` = force-wide), question
    and period end month M, the rolling-12-month gap ending at M against the one ending at
    M - 12 months: non-overlapping windows, both full (docs/measures.md, "Change over time").
    The change has the MOVER interval from the two Newcombe intervals (four Wilson intervals)
    and its p-value by inverting that interval in z (macros/inference.sql). `closing`: the
    change interval lies below 0 and the earlier gap was positive; `widening`: above 0 and the
    earlier gap positive. A suppressed group in either window gives nulls. -#}

{{ config(contract={'enforced': true}) }}

with

gaps as (

    select * from {{ ref('bme_satisfaction_gap') }}
    where window_months = 12 and is_full_window

),

paired as (

    select
        current_window.force_code,
        current_window.borough_code,
        current_window.question,
        current_window.period_end_month,
        previous_window.period_end_month as previous_period_end_month,
        current_window.white_respondents,
        current_window.bme_respondents,
        previous_window.white_respondents as previous_white_respondents,
        previous_window.bme_respondents as previous_bme_respondents,
        current_window.white_rate,
        current_window.white_n_eff,
        current_window.bme_rate,
        current_window.bme_n_eff,
        previous_window.white_rate as previous_white_rate,
        previous_window.white_n_eff as previous_white_n_eff,
        previous_window.bme_rate as previous_bme_rate,
        previous_window.bme_n_eff as previous_bme_n_eff,
        current_window.gap_pp,
        previous_window.gap_pp as previous_gap_pp,
        current_window.reliable and previous_window.reliable as reliable
    from gaps as current_window
    inner join gaps as previous_window
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
        (white_rate - bme_rate) - (previous_white_rate - previous_bme_rate) as gap_change
    from paired

),

{{ inverted_mover_ctes(
    'changes', 'gap_change',
    newcombe_change_arms(
        'white_rate', 'white_n_eff', 'bme_rate', 'bme_n_eff',
        'previous_white_rate', 'previous_white_n_eff', 'previous_bme_rate', 'previous_bme_n_eff'
    ), 'change'
) }},

final as (

    select
        force_code,
        borough_code,
        question,
        period_end_month,
        previous_period_end_month,
        white_respondents,
        bme_respondents,
        previous_white_respondents,
        previous_bme_respondents,
        gap_pp,
        previous_gap_pp,
        100.0 * gap_change as change_pp,
        100.0 * change_ci_low as change_ci_low_pp,
        100.0 * change_ci_high as change_ci_high_pp,
        change_z_statistic as z_statistic,
        change_p_value as p_value,
        change_ci_low > 0 or change_ci_high < 0 as significant,
        case
            when gap_change is not null then previous_gap_pp > 0 and change_ci_high < 0
        end as closing,
        case
            when gap_change is not null then previous_gap_pp > 0 and change_ci_low > 0
        end as widening,
        reliable
    from change_inverted

)

select * from final
