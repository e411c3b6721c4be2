{#- Published: Citizen Focus user satisfaction per force, borough (`ALL` = force-wide),
    question, window (1 month or rolling 12) and period end month (docs/marts.md). Weighted
    rate, Kish n_eff, Wilson 95% interval on (rate, n_eff); rate, interval and the satisfied
    counts are suppressed below suppress_below_respondents valid responses. -#}

{{ config(contract={'enforced': true}) }}

with

components as (

    select * from {{ ref('int_satisfaction_components_windowed') }}
    where dimension = 'all'

),

estimated as (

    select
        *,
        {{ effective_sample_size('sum_w', 'sum_w2') }} as n_eff,
        {{ weighted_rate('sum_w_satisfied', 'sum_w') }} as rate_unsuppressed
    from components

),

intervals as (

    select
        *,
        {{ wilson_low('rate_unsuppressed', 'n_eff') }} as ci_low_unsuppressed,
        {{ wilson_high('rate_unsuppressed', 'n_eff') }} as ci_high_unsuppressed
    from estimated

),

final as (

    select
        force_code,
        borough_code,
        question,
        window_months,
        period_end_month,
        window_start_month,
        is_full_window,
        respondents,
        {{ respondents_display('respondents') }} as respondents_display,
        {{ unless_suppressed('satisfied', 'respondents') }} as satisfied,
        excluded_answers,
        n_eff,
        sum_w,
        sum_w2,
        {{ unless_suppressed('sum_w_satisfied', 'respondents') }} as sum_w_satisfied,
        {{ unless_suppressed('rate_unsuppressed', 'respondents') }} as rate,
        {{ unless_suppressed('ci_low_unsuppressed', 'respondents') }} as ci_low,
        {{ unless_suppressed('ci_high_unsuppressed', 'respondents') }} as ci_high,
        {{ is_suppressed('respondents') }} as is_suppressed,
        {{ is_reliable('respondents') }} as reliable
    from intervals

)

select * from final
