{#- Published: the White / BME satisfaction gap per force, borough (`ALL` = force-wide),
    question, window (1 month or rolling 12) and period end month (docs/marts.md).
    gap_pp = 100 x (white_rate - bme_rate); Newcombe hybrid score interval (method 10) from the
    two Wilson intervals on effective sample sizes; two-sided two-proportion z-test with the
    unpooled standard error. Each group's rate is suppressed below suppress_below_respondents
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
        ) as not_stated_respondents
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

compared as (

    select
        *,
        {{ newcombe_low('white_p', 'white_l', 'white_u', 'bme_p', 'bme_l', 'bme_u') }} as gap_l,
        {{ newcombe_high('white_p', 'white_l', 'white_u', 'bme_p', 'bme_l', 'bme_u') }} as gap_u,
        {{ two_proportion_se('white_p', 'white_n_eff', 'bme_p', 'bme_n_eff') }} as gap_se
    from intervals

),

tested as (

    select
        *,
        {{ two_proportion_z('white_p', 'bme_p', 'gap_se') }} as gap_z
    from compared

),

with_p_value as (

    select
        *,
        {{ two_proportion_p_value('white_p', 'bme_p', 'gap_z') }} as gap_p_value
    from tested

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
        case when not is_suppressed then 100.0 * gap_l end as gap_ci_low_pp,
        case when not is_suppressed then 100.0 * gap_u end as gap_ci_high_pp,
        case when not is_suppressed then gap_z end as z_statistic,
        case when not is_suppressed then gap_p_value end as p_value,
        case when not is_suppressed then gap_l > 0 or gap_u < 0 end as significant,
        is_suppressed
    from with_p_value

)

select * from final
