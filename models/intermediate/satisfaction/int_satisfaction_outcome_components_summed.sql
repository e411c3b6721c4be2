{#- Additive satisfaction components by the service outcome of the linked incident or crime:
    per force, borough, question, interview month, outcome measure and outcome group (met /
    missed); undetermined outcomes are left out. Same components as
    int_satisfaction_components_summed, so any window is an exact sum of these rows. -#}

with

responses as (

    select * from {{ ref('int_survey_responses_grouped') }}

),

answers as (

    select * from {{ ref('int_survey_answers_scored') }}

),

attendance as (

    select * from {{ ref('int_survey_responses_joined_to_attendance') }}

),

victim_updates as (

    select * from {{ ref('int_survey_responses_joined_to_victim_updates') }}

),

outcomes as (

    select
        force_code,
        response_id,
        outcome_measure,
        outcome_group
    from attendance

    union all

    select
        force_code,
        response_id,
        outcome_measure,
        outcome_group
    from victim_updates
    where outcome_group in ('met', 'missed')

),

joined as (

    select
        responses.force_code,
        responses.borough_code,
        answers.question,
        responses.interview_month,
        outcomes.outcome_measure,
        outcomes.outcome_group,
        answers.is_valid,
        answers.is_satisfied,
        responses.weight

    from outcomes
    inner join responses
        on
            outcomes.force_code = responses.force_code
            and outcomes.response_id = responses.response_id
    inner join answers
        on
            outcomes.force_code = answers.force_code
            and outcomes.response_id = answers.response_id

),

summed as (

    select
        force_code,
        borough_code,
        question,
        interview_month,
        outcome_measure,
        outcome_group,
        count(*) filter (where is_valid) as respondents,
        count(*) filter (where is_satisfied) as satisfied,
        count(*) filter (where not is_valid) as excluded_answers,
        coalesce(fsum(weight) filter (where is_valid), 0.0) as sum_w,
        coalesce(fsum(weight * weight) filter (where is_valid), 0.0) as sum_w2,
        coalesce(fsum(weight) filter (where is_satisfied), 0.0) as sum_w_satisfied

    from joined
    group by
        force_code,
        borough_code,
        question,
        interview_month,
        outcome_measure,
        outcome_group

),

final as (

    select * from summed

)

select * from final
