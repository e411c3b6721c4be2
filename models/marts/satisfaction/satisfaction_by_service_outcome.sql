{#- Published: satisfaction of users whose linked incident or crime met an operational standard
    against those whose did not, per force, borough (`ALL` = force-wide), question, outcome
    measure, outcome group (met / missed), window (rolling_12 ending at each month, and
    whole_period) and period end month. Each row has its group's weighted rate and Wilson
    interval; both rows of a pair carry the comparison met - missed (Newcombe method 10
    interval, two-proportion z-test), so
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

compared as (

    select
        *,
        {{ newcombe_low('met_p', 'met_l', 'met_u', 'missed_p', 'missed_l', 'missed_u') }}
            as diff_l,
        {{ newcombe_high('met_p', 'met_l', 'met_u', 'missed_p', 'missed_l', 'missed_u') }}
            as diff_u,
        {{ two_proportion_se('met_p', 'met_n_eff', 'missed_p', 'missed_n_eff') }} as diff_se
    from pairs

),

tested as (

    select
        *,
        {{ two_proportion_z('met_p', 'missed_p', 'diff_se') }} as diff_z
    from compared

),

with_p_value as (

    select
        *,
        {{ two_proportion_p_value('met_p', 'missed_p', 'diff_z') }} as diff_p_value
    from tested

),

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
            when not with_p_value.is_comparison_suppressed
                then 100.0 * (with_p_value.met_p - with_p_value.missed_p)
        end as met_minus_missed_pp,
        case
            when not with_p_value.is_comparison_suppressed then 100.0 * with_p_value.diff_l
        end as met_minus_missed_ci_low_pp,
        case
            when not with_p_value.is_comparison_suppressed then 100.0 * with_p_value.diff_u
        end as met_minus_missed_ci_high_pp,
        case
            when not with_p_value.is_comparison_suppressed then with_p_value.diff_z
        end as z_statistic,
        case
            when not with_p_value.is_comparison_suppressed then with_p_value.diff_p_value
        end as p_value,
        case
            when not with_p_value.is_comparison_suppressed
                then with_p_value.diff_l > 0 or with_p_value.diff_u < 0
        end as significant,
        with_p_value.is_comparison_suppressed
    from intervals
    inner join with_p_value
        on
            intervals.force_code = with_p_value.force_code
            and intervals.borough_code = with_p_value.borough_code
            and intervals.question = with_p_value.question
            and intervals.outcome_measure = with_p_value.outcome_measure
            and intervals.window_name = with_p_value.window_name
            and intervals.period_end_month = with_p_value.period_end_month
    inner join measures
        on intervals.outcome_measure = measures.outcome_measure

)

select * from final
