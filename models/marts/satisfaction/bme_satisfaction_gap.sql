{#- Published: the White / BME satisfaction gap per force, borough (`ALL` = force-wide),
    question, window (1 month or rolling 12) and period end month (docs/marts.md).
    gap_pp = 100 x (white_rate - bme_rate); Newcombe hybrid score interval (method 10) from the
    two Wilson intervals on effective sample sizes; p-value and z from inverting that interval
    (macros/inference.sql), so p < 0.05 exactly when it excludes 0; Holm's adjustment across the
    boroughs of each (force, question, window, month). Each group's rate is suppressed below suppress_below_respondents
    valid responses, and the gap, its interval and test whenever either group is. -#}

{{ config(contract={'enforced': true}) }}

with

components as (

    select
        *,
        dimension_value as ethnic_group
    from {{ ref('int_satisfaction_components_windowed') }}
    where dimension = 'ethnic_group'

),

pivoted as (

    select
        force_code,
        borough_code,
        question,
        window_months,
        period_end_month,
        any_value(window_start_month) as window_start_month,
        bool_and(is_full_window) as is_full_window,
        cast(
            sum(case when ethnic_group = 'White' then respondents else 0 end) as bigint
        ) as white_respondents,
        cast(
            sum(case when ethnic_group = 'White' then satisfied else 0 end) as bigint
        ) as white_satisfied,
        sum(case when ethnic_group = 'White' then sum_w else 0.0 end) as white_sum_w,
        sum(case when ethnic_group = 'White' then sum_w2 else 0.0 end) as white_sum_w2,
        sum(case when ethnic_group = 'White' then sum_w_satisfied else 0.0 end)
            as white_sum_w_satisfied,
        cast(
            sum(case when ethnic_group = 'BME' then respondents else 0 end) as bigint
        ) as bme_respondents,
        cast(
            sum(case when ethnic_group = 'BME' then satisfied else 0 end) as bigint
        ) as bme_satisfied,
        sum(case when ethnic_group = 'BME' then sum_w else 0.0 end) as bme_sum_w,
        sum(case when ethnic_group = 'BME' then sum_w2 else 0.0 end) as bme_sum_w2,
        sum(case when ethnic_group = 'BME' then sum_w_satisfied else 0.0 end)
            as bme_sum_w_satisfied,
        cast(
            sum(case when ethnic_group = 'Not stated' then respondents else 0 end) as bigint
        ) as not_stated_respondents,
        cast(
            sum(case when ethnic_group = 'Unrecognised' then respondents else 0 end) as bigint
        ) as unrecognised_ethnicity_respondents
    from components
    group by
        force_code,
        borough_code,
        question,
        window_months,
        period_end_month

),

estimated as (

    select
        *,
        {{ effective_sample_size('white_sum_w', 'white_sum_w2') }} as white_n_eff,
        {{ weighted_rate('white_sum_w_satisfied', 'white_sum_w') }} as white_p,
        {{ is_suppressed('white_respondents') }} as white_is_suppressed,
        {{ effective_sample_size('bme_sum_w', 'bme_sum_w2') }} as bme_n_eff,
        {{ weighted_rate('bme_sum_w_satisfied', 'bme_sum_w') }} as bme_p,
        {{ is_suppressed('bme_respondents') }} as bme_is_suppressed
    from pivoted

),

intervals as (

    select
        *,
        {{ wilson_low('white_p', 'white_n_eff') }} as white_l,
        {{ wilson_high('white_p', 'white_n_eff') }} as white_u,
        {{ wilson_low('bme_p', 'bme_n_eff') }} as bme_l,
        {{ wilson_high('bme_p', 'bme_n_eff') }} as bme_u,
        white_is_suppressed or bme_is_suppressed as is_suppressed
    from estimated

),

{{ compare_two_groups('intervals', 'white_p', 'white_n_eff', 'bme_p', 'bme_n_eff', 'gap') }},

published as (

    select
        *,
        case when not is_suppressed then gap_p_value end as published_p_value,
        borough_code != 'ALL' as is_borough_row
    from gap_inverted

),

{{ holm_adjust(
    'published', 'published_p_value',
    ['force_code', 'question', 'window_months', 'period_end_month'],
    'is_borough_row', 'borough_code', 'family'
) }},

final as (

    select
        force_code,
        borough_code,
        question,
        window_months,
        period_end_month,
        window_start_month,
        is_full_window,
        white_respondents,
        bme_respondents,
        not_stated_respondents,
        {{ respondents_display('white_respondents') }} as white_respondents_display,
        {{ respondents_display('bme_respondents') }} as bme_respondents_display,
        {{ unless_suppressed('white_satisfied', 'white_respondents') }} as white_satisfied,
        {{ unless_suppressed('bme_satisfied', 'bme_respondents') }} as bme_satisfied,
        white_n_eff,
        bme_n_eff,
        {{ unless_suppressed('white_p', 'white_respondents') }} as white_rate,
        {{ unless_suppressed('bme_p', 'bme_respondents') }} as bme_rate,
        {{ unless_suppressed('white_l', 'white_respondents') }} as white_ci_low,
        {{ unless_suppressed('white_u', 'white_respondents') }} as white_ci_high,
        {{ unless_suppressed('bme_l', 'bme_respondents') }} as bme_ci_low,
        {{ unless_suppressed('bme_u', 'bme_respondents') }} as bme_ci_high,
        {{ is_reliable('white_respondents') }} as white_reliable,
        {{ is_reliable('bme_respondents') }} as bme_reliable,
        case when not is_suppressed then 100.0 * (white_p - bme_p) end as gap_pp,
        case when not is_suppressed then 100.0 * gap_ci_low end as gap_ci_low_pp,
        case when not is_suppressed then 100.0 * gap_ci_high end as gap_ci_high_pp,
        case when not is_suppressed then gap_z_statistic end as z_statistic,
        published_p_value as p_value,
        case when not is_suppressed then gap_ci_low > 0 or gap_ci_high < 0 end as significant,
        is_suppressed,
        {{ is_reliable('white_respondents') }} and {{ is_reliable('bme_respondents') }} as reliable,
        family_p_value_holm as p_value_holm,
        family_p_value_holm < {{ significance_level() }} as significant_holm,
        unrecognised_ethnicity_respondents
    from family_holm

)

select * from final
