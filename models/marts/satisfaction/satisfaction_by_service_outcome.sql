{#- Published: satisfaction of users whose linked incident or crime met an operational standard
    against those whose did not, per force, borough (`ALL` = force-wide), question, outcome
    measure, outcome group (met / missed), window (rolling_12 ending at each month, and
    whole_period) and period end month. Each row has its group's weighted rate and Wilson
    interval; both rows of a pair carry the comparison met - missed (Newcombe method 10
    interval, p-value and z from inverting it, macros/inference.sql), so
    `where outcome_group = 'met'` gives one line per comparison. Same suppression as the other
    satisfaction marts, applied to each group. -#}

{{ config(contract={'enforced': true}) }}

with

components as (

    select * from {{ ref('int_satisfaction_outcome_components_windowed') }}

),

measures as (

    select * from {{ ref('satisfaction_outcome_measures') }}

),

estimated as (

    select
        *,
        {{ effective_sample_size('sum_w', 'sum_w2') }} as n_eff,
        {{ weighted_rate('sum_w_satisfied', 'sum_w') }} as p,
        {{ is_suppressed('respondents') }} as is_suppressed
    from components

),

intervals as (

    select
        *,
        {{ wilson_low('p', 'n_eff') }} as l,
        {{ wilson_high('p', 'n_eff') }} as u
    from estimated

),

pairs as (

    select
        force_code,
        borough_code,
        question,
        outcome_measure,
        window_name,
        period_end_month,
        any_value(p) filter (where outcome_group = 'met') as met_p,
        any_value(l) filter (where outcome_group = 'met') as met_l,
        any_value(u) filter (where outcome_group = 'met') as met_u,
        any_value(n_eff) filter (where outcome_group = 'met') as met_n_eff,
        any_value(p) filter (where outcome_group = 'missed') as missed_p,
        any_value(l) filter (where outcome_group = 'missed') as missed_l,
        any_value(u) filter (where outcome_group = 'missed') as missed_u,
        any_value(n_eff) filter (where outcome_group = 'missed') as missed_n_eff,
        coalesce(sum(respondents) filter (where outcome_group = 'met'), 0) as met_respondents,
        coalesce(sum(respondents) filter (where outcome_group = 'missed'), 0) as missed_respondents,
        bool_or(is_suppressed) as is_comparison_suppressed
    from intervals
    group by
        force_code,
        borough_code,
        question,
        outcome_measure,
        window_name,
        period_end_month

),

{{ compare_two_groups('pairs', 'met_p', 'met_n_eff', 'missed_p', 'missed_n_eff', 'diff') }},

final as (

    select
        intervals.force_code,
        intervals.borough_code,
        intervals.question,
        intervals.outcome_measure,
        intervals.outcome_group,
        intervals.window_name,
        intervals.window_months,
        intervals.period_end_month,
        intervals.window_start_month,
        intervals.is_full_window,
        measures.related_standard_id,
        intervals.respondents,
        {{ respondents_display('intervals.respondents') }} as respondents_display,
        {{ unless_suppressed('intervals.satisfied', 'intervals.respondents') }} as satisfied,
        intervals.excluded_answers,
        intervals.n_eff,
        {{ unless_suppressed('intervals.p', 'intervals.respondents') }} as rate,
        {{ unless_suppressed('intervals.l', 'intervals.respondents') }} as ci_low,
        {{ unless_suppressed('intervals.u', 'intervals.respondents') }} as ci_high,
        intervals.is_suppressed,
        {{ is_reliable('intervals.respondents') }} as reliable,
        case
            when not diff_inverted.is_comparison_suppressed
                then 100.0 * diff_inverted.diff_difference
        end as met_minus_missed_pp,
        case
            when not diff_inverted.is_comparison_suppressed then 100.0 * diff_inverted.diff_ci_low
        end as met_minus_missed_ci_low_pp,
        case
            when not diff_inverted.is_comparison_suppressed then 100.0 * diff_inverted.diff_ci_high
        end as met_minus_missed_ci_high_pp,
        case
            when not diff_inverted.is_comparison_suppressed then diff_inverted.diff_z_statistic
        end as z_statistic,
        case
            when not diff_inverted.is_comparison_suppressed then diff_inverted.diff_p_value
        end as p_value,
        case
            when not diff_inverted.is_comparison_suppressed
                then diff_inverted.diff_ci_low > 0 or diff_inverted.diff_ci_high < 0
        end as significant,
        diff_inverted.is_comparison_suppressed,
        {{ is_reliable('diff_inverted.met_respondents') }}
        and {{ is_reliable('diff_inverted.missed_respondents') }} as comparison_reliable
    from intervals
    inner join diff_inverted
        on
            intervals.force_code = diff_inverted.force_code
            and intervals.borough_code = diff_inverted.borough_code
            and intervals.question = diff_inverted.question
            and intervals.outcome_measure = diff_inverted.outcome_measure
            and intervals.window_name = diff_inverted.window_name
            and intervals.period_end_month = diff_inverted.period_end_month
    inner join measures
        on intervals.outcome_measure = measures.outcome_measure

)

select * from final
