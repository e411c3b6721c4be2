{#- Satisfaction components by service outcome summed over each published window: one row per
    force, borough (`ALL` = force-wide), question, outcome measure, outcome group (met /
    missed), window (`rolling_12` ending at every month from the force's first to its last
    survey month, and `whole_period` = all the force's survey months) and period end month.
    Every combination exists (zero counts where no linked response), like the other marts. -#}

with

components as (

    select * from {{ ref('int_satisfaction_outcome_components_summed') }}

),

responses as (

    select * from {{ ref('int_survey_responses_grouped') }}

),

questions as (

    select * from {{ ref('survey_questions') }}

),

measures as (

    select * from {{ ref('satisfaction_outcome_measures') }}

),

with_force_wide as (

    select * from components

    union all

    select
        force_code,
        'ALL' as borough_code,
        question,
        interview_month,
        outcome_measure,
        outcome_group,
        respondents,
        satisfied,
        excluded_answers,
        sum_w,
        sum_w2,
        sum_w_satisfied
    from components

),

monthly as (

    select
        force_code,
        borough_code,
        question,
        outcome_measure,
        outcome_group,
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
        outcome_measure,
        outcome_group,
        interview_month

),

force_months as (

    select
        force_code,
        min(interview_month) as first_month,
        max(interview_month) as last_month
    from responses
    group by force_code

),

months as (

    select
        force_code,
        first_month,
        last_month,
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
    from responses

    union

    select distinct
        force_code,
        'ALL' as borough_code
    from responses

),

outcome_groups as (

    select
        measures.outcome_measure,
        groups.outcome_group
    from measures
    cross join (values ('met'), ('missed')) as groups (outcome_group)

),

spine as (

    select
        months.force_code,
        boroughs.borough_code,
        questions.question,
        outcome_groups.outcome_measure,
        outcome_groups.outcome_group,
        months.period_end_month,
        months.first_month,
        months.last_month
    from months
    inner join boroughs
        on months.force_code = boroughs.force_code
    cross join questions
    cross join outcome_groups

),

dense as (

    select
        spine.force_code,
        spine.borough_code,
        spine.question,
        spine.outcome_measure,
        spine.outcome_group,
        spine.period_end_month,
        spine.first_month,
        spine.last_month,
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
            and spine.outcome_measure = monthly.outcome_measure
            and spine.outcome_group = monthly.outcome_group
            and spine.period_end_month = monthly.interview_month

),

rolling as (

    select
        force_code,
        borough_code,
        question,
        outcome_measure,
        outcome_group,
        'rolling_12' as window_name,
        12 as window_months,
        period_end_month,
        cast(period_end_month - interval 11 month as date) as window_start_month,
        cast(period_end_month - interval 11 month as date) >= first_month as is_full_window,
        cast(sum(respondents) over twelve_months as bigint) as respondents,
        cast(sum(satisfied) over twelve_months as bigint) as satisfied,
        cast(sum(excluded_answers) over twelve_months as bigint) as excluded_answers,
        sum(sum_w) over twelve_months as sum_w,
        sum(sum_w2) over twelve_months as sum_w2,
        sum(sum_w_satisfied) over twelve_months as sum_w_satisfied
    from dense
    window twelve_months as (
        partition by force_code, borough_code, question, outcome_measure, outcome_group
        order by period_end_month
        rows between 11 preceding and current row
    )

),

whole_period as (

    select
        force_code,
        borough_code,
        question,
        outcome_measure,
        outcome_group,
        'whole_period' as window_name,
        cast(datediff('month', first_month, last_month) + 1 as integer) as window_months,
        last_month as period_end_month,
        first_month as window_start_month,
        true as is_full_window,
        cast(sum(respondents) as bigint) as respondents,
        cast(sum(satisfied) as bigint) as satisfied,
        cast(sum(excluded_answers) as bigint) as excluded_answers,
        fsum(sum_w) as sum_w,
        fsum(sum_w2) as sum_w2,
        fsum(sum_w_satisfied) as sum_w_satisfied
    from dense
    group by
        force_code,
        borough_code,
        question,
        outcome_measure,
        outcome_group,
        first_month,
        last_month

),

final as (

    select * from rolling

    union all

    select * from whole_period

)

select * from final
