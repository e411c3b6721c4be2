{#- The satisfaction components summed over each published window: one row per force,
    borough (`ALL` = force-wide), question, breakdown (dimension `all`, or an equality
    dimension and its value), window (1 month, or rolling 12 = that month and the 11 before
    it) and period end month. Rows exist for every month from the force's first to its last
    survey month, every borough the force's survey has seen, every question and every
    breakdown value seen in the force; cells without responses have zero counts, so rolling
    windows are continuous. -#}

with

components as (

    select * from {{ ref('int_satisfaction_components_summed') }}

),

questions as (

    select * from {{ ref('survey_questions') }}

),

by_dimension as (

    select
        force_code,
        borough_code,
        question,
        interview_month,
        'all' as dimension,
        'All' as dimension_value,
        respondents,
        satisfied,
        excluded_answers,
        sum_w,
        sum_w2,
        sum_w_satisfied
    from components

    union all

    select
        force_code,
        borough_code,
        question,
        interview_month,
        'ethnic_group' as dimension,
        ethnic_group as dimension_value,
        respondents,
        satisfied,
        excluded_answers,
        sum_w,
        sum_w2,
        sum_w_satisfied
    from components

    union all

    select
        force_code,
        borough_code,
        question,
        interview_month,
        'age_band' as dimension,
        age_band as dimension_value,
        respondents,
        satisfied,
        excluded_answers,
        sum_w,
        sum_w2,
        sum_w_satisfied
    from components

    union all

    select
        force_code,
        borough_code,
        question,
        interview_month,
        'gender' as dimension,
        gender as dimension_value,
        respondents,
        satisfied,
        excluded_answers,
        sum_w,
        sum_w2,
        sum_w_satisfied
    from components

    union all

    select
        force_code,
        borough_code,
        question,
        interview_month,
        'disability' as dimension,
        disability as dimension_value,
        respondents,
        satisfied,
        excluded_answers,
        sum_w,
        sum_w2,
        sum_w_satisfied
    from components

    union all

    select
        force_code,
        borough_code,
        question,
        interview_month,
        'survey_group' as dimension,
        survey_group as dimension_value,
        respondents,
        satisfied,
        excluded_answers,
        sum_w,
        sum_w2,
        sum_w_satisfied
    from components

),

with_force_wide as (

    select * from by_dimension

    union all

    select
        force_code,
        'ALL' as borough_code,
        question,
        interview_month,
        dimension,
        dimension_value,
        respondents,
        satisfied,
        excluded_answers,
        sum_w,
        sum_w2,
        sum_w_satisfied
    from by_dimension

),

monthly as (

    select
        force_code,
        borough_code,
        question,
        dimension,
        dimension_value,
        interview_month,
        cast(sum(respondents) as bigint) as respondents,
        cast(sum(satisfied) as bigint) as satisfied,
        cast(sum(excluded_answers) as bigint) as excluded_answers,
        fsum(sum_w) as sum_w,
        fsum(sum_w2) as sum_w2,
        fsum(sum_w_satisfied) as sum_w_satisfied
    from with_force_wide
    group by
        force_code,
        borough_code,
        question,
        dimension,
        dimension_value,
        interview_month

),

force_months as (

    select
        force_code,
        min(interview_month) as first_month,
        max(interview_month) as last_month
    from components
    group by force_code

),

months as (

    select
        force_code,
        first_month,
        cast(
            unnest(
                generate_series(
                    cast(first_month as timestamp), cast(last_month as timestamp), interval 1 month
                )
            ) as date
        ) as period_end_month
    from force_months

),

boroughs as (

    select distinct
        force_code,
        borough_code
    from with_force_wide

),

breakdowns as (

    select distinct
        force_code,
        dimension,
        dimension_value
    from by_dimension

),

spine as (

    select
        months.force_code,
        boroughs.borough_code,
        questions.question,
        breakdowns.dimension,
        breakdowns.dimension_value,
        months.period_end_month,
        months.first_month
    from months
    inner join boroughs
        on months.force_code = boroughs.force_code
    inner join breakdowns
        on months.force_code = breakdowns.force_code
    cross join questions

),

dense as (

    select
        spine.force_code,
        spine.borough_code,
        spine.question,
        spine.dimension,
        spine.dimension_value,
        spine.period_end_month,
        spine.first_month,
        coalesce(monthly.respondents, 0) as respondents,
        coalesce(monthly.satisfied, 0) as satisfied,
        coalesce(monthly.excluded_answers, 0) as excluded_answers,
        coalesce(monthly.sum_w, 0.0) as sum_w,
        coalesce(monthly.sum_w2, 0.0) as sum_w2,
        coalesce(monthly.sum_w_satisfied, 0.0) as sum_w_satisfied
    from spine
    left join monthly
        on
            spine.force_code = monthly.force_code
            and spine.borough_code = monthly.borough_code
            and spine.question = monthly.question
            and spine.dimension = monthly.dimension
            and spine.dimension_value = monthly.dimension_value
            and spine.period_end_month = monthly.interview_month

),

rolling as (

    select
        force_code,
        borough_code,
        question,
        dimension,
        dimension_value,
        period_end_month,
        first_month,
        cast(sum(respondents) over twelve_months as bigint) as respondents,
        cast(sum(satisfied) over twelve_months as bigint) as satisfied,
        cast(sum(excluded_answers) over twelve_months as bigint) as excluded_answers,
        sum(sum_w) over twelve_months as sum_w,
        sum(sum_w2) over twelve_months as sum_w2,
        sum(sum_w_satisfied) over twelve_months as sum_w_satisfied
    from dense
    window twelve_months as (
        partition by force_code, borough_code, question, dimension, dimension_value
        order by period_end_month
        rows between 11 preceding and current row
    )

),

windowed as (

    select
        force_code,
        borough_code,
        question,
        dimension,
        dimension_value,
        1 as window_months,
        period_end_month,
        period_end_month as window_start_month,
        true as is_full_window,
        respondents,
        satisfied,
        excluded_answers,
        sum_w,
        sum_w2,
        sum_w_satisfied
    from dense

    union all

    select
        force_code,
        borough_code,
        question,
        dimension,
        dimension_value,
        12 as window_months,
        period_end_month,
        cast(period_end_month - interval 11 month as date) as window_start_month,
        cast(period_end_month - interval 11 month as date) >= first_month as is_full_window,
        respondents,
        satisfied,
        excluded_answers,
        sum_w,
        sum_w2,
        sum_w_satisfied
    from rolling

),

final as (

    select * from windowed

)

select * from final
